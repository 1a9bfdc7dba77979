// Command tandem runs the Tandem server and its maintenance commands.
//
//	tandem serve [--addr 127.0.0.1:8080] [--data-dir ./tandem-data] [--database PATH|postgres://…] [--demo]
//	tandem migrate [--database …]
//	tandem user create --email E --name N [--admin]   (password from TANDEM_PASSWORD or stdin)
//	tandem search rebuild [--database …]
//	tandem backup --out FILE [--database …]
//	tandem restore --from FILE [--database …]   (with every tandem on the database stopped)
//	tandem version
//
// Every flag can also be set as TANDEM_<FLAG> (e.g. TANDEM_ADDR).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"os/user"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/tandemhq/tandem/internal/backup"
	"github.com/tandemhq/tandem/internal/demo"
	"github.com/tandemhq/tandem/internal/scrum"
	"github.com/tandemhq/tandem/internal/server"
	"github.com/tandemhq/tandem/internal/store/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tandem:", err)
		os.Exit(1)
	}
}

const usage = `usage: tandem <command> [flags]

commands:
  serve     run the server (with --demo, seed a demo team first)
  migrate   apply database migrations and exit
  user      create an account: tandem user create --email E --name N [--admin]
  search    rebuild the search index from the items: tandem search rebuild
  backup    copy the database while it is in use: tandem backup --out FILE
  restore   put a backup back, the server stopped: tandem restore --from FILE
  version   print the version
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], stdout, stderr)
	case "user":
		if len(args) < 2 || args[1] != "create" {
			return errors.New("usage: tandem user create --email E --name N [--admin]")
		}
		return createUser(ctx, args[2:], stdin, stdout, stderr)
	case "search":
		if len(args) < 2 || args[1] != "rebuild" {
			return errors.New("usage: tandem search rebuild [--database …]")
		}
		return rebuildSearch(ctx, args[2:], stdout, stderr)
	case "backup":
		return backupDB(ctx, args[1:], stdout, stderr)
	case "restore":
		return restoreDB(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "tandem", version())
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12] + ")"
		}
	}
	return v + " " + bi.GoVersion
}

// env returns TANDEM_<NAME> or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv("TANDEM_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); ok {
		return v
	}
	return def
}

func envBool(name string) bool {
	v := strings.ToLower(env(name, ""))
	return v == "1" || v == "true" || v == "yes"
}

// commonFlags are the flags every command that opens the database shares.
func commonFlags(fs *flag.FlagSet, cfg *server.Config) {
	fs.StringVar(&cfg.DataDir, "data-dir", env("data-dir", "./tandem-data"), "directory for the SQLite database")
	fs.StringVar(&cfg.Database, "database", env("database", ""), "SQLite file path or postgres:// URL (default: DATA_DIR/tandem.db)")
}

func newLogger(w io.Writer, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg server.Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", env("addr", "127.0.0.1:8080"), "listen address")
	commonFlags(fs, &cfg)
	fs.StringVar(&cfg.BaseURL, "base-url", env("base-url", ""), "public URL of the site (default http://ADDR)")
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", envBool("secure-cookies"), "mark cookies Secure (serving over TLS)")
	fs.BoolVar(&cfg.ClosedSignup, "closed-signup", envBool("closed-signup"), "only the first account may sign up; create others with 'tandem user create'")
	proxies := fs.String("trusted-proxies", env("trusted-proxies", ""), "comma-separated CIDRs allowed to set X-Forwarded-For")
	logFormat := fs.String("log-format", env("log-format", "text"), "text or json")
	seed := fs.Bool("demo", envBool("demo"), "seed a demo team to click through")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			return fmt.Errorf("--trusted-proxies: %q is not a CIDR", p)
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, prefix)
	}
	cfg.Log = newLogger(stderr, *logFormat)
	server.TuneGC()
	start := time.Now()
	app, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	if *seed {
		created, err := demo.Seed(ctx, app.Service)
		if err != nil {
			return err
		}
		if created {
			cfg.Log.Info("seeded the demo team")
		}
	}
	addr, err := app.Listen()
	if err != nil {
		return err
	}
	url := app.Config.BaseURL
	fmt.Fprintf(stdout, "Tandem is running at %s (started in %s)\n", url, time.Since(start).Round(time.Millisecond))
	if server.IsPostgres(cfg.Database) {
		fmt.Fprintln(stdout, "  database: PostgreSQL")
	} else {
		fmt.Fprintf(stdout, "  database: SQLite in %s\n", cfg.DataDir)
	}
	if *seed {
		fmt.Fprintf(stdout, "  sign in at %s/signin as %s (Product Owner) or %s (Scrum Master), password %q\n",
			url, demo.People[0].Email, demo.People[1].Email, demo.Password)
	} else {
		fmt.Fprintf(stdout, "  sign up at %s/signup — the first account becomes the site admin\n", url)
	}
	cfg.Log.Info("listening", "addr", addr)
	return app.Serve(ctx)
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg server.Config
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.Log = newLogger(stderr, "text")
	app, err := server.Open(ctx, cfg) // Open migrates
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "migrations are up to date")
	return app.Close()
}

// rebuildSearch indexes every item for search again: a repair for a
// damaged index. A server running on the same database keeps working;
// its writes wait while the rebuild runs.
func rebuildSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg server.Config
	fs := flag.NewFlagSet("search rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.Log = newLogger(stderr, "text")
	app, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	n, err := app.Store.RebuildSearch(ctx)
	if err != nil {
		app.Close()
		return err
	}
	if server.IsPostgres(app.Config.Database) {
		fmt.Fprintln(stdout, "PostgreSQL keeps its search index itself: nothing to rebuild")
	} else {
		fmt.Fprintf(stdout, "search index rebuilt: %d items\n", n)
	}
	return app.Close()
}

// backupDB writes a consistent copy of the SQLite database, which a
// running server may be using. PostgreSQL has its own tools for that.
func backupDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg server.Config
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &cfg)
	out := fs.String("out", "", "file to write the backup to (must not exist)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("usage: tandem backup --out FILE [--data-dir DIR | --database …]")
	}
	if server.IsPostgres(cfg.Database) {
		return errors.New("backup: on PostgreSQL, use pg_dump --format=custom --file=FILE URL (a running Tandem may stay up)")
	}
	// The audit entry goes in first, so the backup holds its own record;
	// but only into a database of this tandem's schema. A backup is often
	// taken with a newer binary before an upgrade: it must not migrate
	// the database under the server still running the old one.
	path := server.SQLitePath(cfg)
	have, err := backup.Schema(ctx, path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if want, err := sqlite.SchemaVersion(); err != nil {
		return err
	} else if have == want {
		if err := auditMaintenance(ctx, cfg, stderr, scrum.AuditBackup, *out, "backup requested by "+operator()); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stderr, "the database has schema %d and this tandem %d: the backup is taken as it is, without an audit entry\n", have, want)
	}
	start := time.Now()
	rep, err := backup.SQLite(ctx, path, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s: %d teams, %d items, %d bytes, schema %d, in %s\n",
		rep.Path, rep.Teams, rep.Items, rep.Bytes, rep.Schema, time.Since(start).Round(time.Millisecond))
	return nil
}

// restoreDB puts a backup back in place of the SQLite database, keeping
// the one it replaces as a safety copy.
func restoreDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg server.Config
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &cfg)
	from := fs.String("from", "", "backup file written by tandem backup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("usage: tandem restore --from FILE [--data-dir DIR | --database …]")
	}
	if server.IsPostgres(cfg.Database) {
		return errors.New("restore: on PostgreSQL, stop every instance and run pg_restore --clean --if-exists --single-transaction --dbname=URL FILE")
	}
	start := time.Now()
	res, err := backup.RestoreSQLite(ctx, *from, server.SQLitePath(cfg), time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s: %d teams, %d items, schema %d, in %s\n",
		res.Path, *from, res.Teams, res.Items, res.Schema, time.Since(start).Round(time.Millisecond))
	detail := "restored by " + operator()
	if res.SafetyCopy != "" {
		fmt.Fprintf(stdout, "  the database it replaced is kept as %s\n", res.SafetyCopy)
		detail += "; the database it replaced is kept as " + res.SafetyCopy
	}
	// Opening the restored file also migrates a backup from an older
	// Tandem, so a failure to do so shows now, not at the next start.
	return auditMaintenance(ctx, cfg, stderr, scrum.AuditRestore, *from, detail)
}

// auditMaintenance records a console action in the database's audit log.
func auditMaintenance(ctx context.Context, cfg server.Config, stderr io.Writer, action, target, detail string) error {
	cfg.Log = newLogger(stderr, "text")
	app, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	err = app.Service.AuditMaintenance(ctx, action, target, detail)
	return errors.Join(err, app.Close())
}

// operator names who ran a console command, for the audit log.
func operator() string {
	who := "unknown user"
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	host, _ := os.Hostname()
	return who + "@" + host
}

func createUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var cfg server.Config
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &cfg)
	email := fs.String("email", "", "email address")
	name := fs.String("name", "", "display name")
	admin := fs.Bool("admin", false, "make the account a site admin")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pw := os.Getenv("TANDEM_PASSWORD")
	if pw == "" {
		fmt.Fprint(stderr, "password: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	cfg.Log = newLogger(stderr, "text")
	app, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	u, err := app.Service.CreateUser(ctx, scrum.SignUp{Email: *email, Name: *name, Password: pw}, *admin)
	if err != nil {
		return err
	}
	role := "user"
	if u.SiteAdmin {
		role = "site admin"
	}
	fmt.Fprintf(stdout, "created %s %s <%s>\n", role, u.Name, u.Email)
	return nil
}

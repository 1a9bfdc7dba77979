package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// Machine describes where the figures were taken, so that noise is
// visible next to them.
type Machine struct {
	NumCPU    int    `json:"nproc"`
	CPU       string `json:"cpu"`
	Kernel    string `json:"kernel"`
	Go        string `json:"go"`
	Commit    string `json:"commit"`
	LoadStart string `json:"loadavg_start"`
}

func machine(root string) Machine {
	m := Machine{NumCPU: runtime.NumCPU(), LoadStart: loadavg(), Kernel: strings.TrimSpace(readFile("/proc/sys/kernel/osrelease"))}
	for _, line := range strings.Split(readFile("/proc/cpuinfo"), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			m.CPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
			break
		}
	}
	if out, err := exec.Command("go", "version").Output(); err == nil {
		m.Go = strings.TrimSpace(string(out))
	}
	cmd := exec.Command("git", "describe", "--always", "--dirty")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
	}
	return m
}

// Markdown writes the machine as a short list.
func (m Machine) Markdown(w io.Writer) {
	fmt.Fprintf(w, "- machine: %d CPUs (%s), Linux %s\n", m.NumCPU, m.CPU, m.Kernel)
	fmt.Fprintf(w, "- build: %s, commit %s\n", m.Go, m.Commit)
	fmt.Fprintf(w, "- load average at start: %s\n\n", m.LoadStart)
}

// loadavg returns the 1, 5 and 15 minute load averages.
func loadavg() string {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

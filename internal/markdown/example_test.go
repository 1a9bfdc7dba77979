package markdown_test

import (
	"fmt"

	"github.com/tandemhq/tandem/internal/markdown"
)

func ExampleRenderer_HTML() {
	team := map[string]bool{"ana": true}
	r := markdown.New(markdown.WithMentionFilter(func(h string) bool { return team[h] }))
	fmt.Print(r.HTML("Thanks @ana and @bob, see [the spec](https://example.com/spec) <script>x</script>"))
	// Output:
	// <p>Thanks <span class="mention">@ana</span> and @bob, see <a href="https://example.com/spec" rel="noopener noreferrer nofollow" target="_blank">the spec</a> <!-- raw HTML omitted -->x<!-- raw HTML omitted --></p>
}

func ExampleMentions() {
	fmt.Println(markdown.Mentions("@ana, please sync with @bob.k (not `@carl`, nor dan@example.com). Thanks @ana!"))
	// Output: [ana bob.k]
}

func ExamplePlain() {
	fmt.Println(markdown.Plain("## Export times out\n\nThe **sprint export** fails for [large boards](/b/1) with > 2,000 items.", 40))
	// Output: Export times out The sprint export…
}

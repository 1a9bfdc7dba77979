package e2e_test

import (
	"testing"

	"github.com/tandemhq/tandem/internal/e2e"
)

func TestMain(m *testing.M) { e2e.Main(m) }

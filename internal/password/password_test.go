package password

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h := New(Fast)
	hash, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("got hash %q, want PHC argon2id format", hash)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse battery staple", true}, {"correct horse battery stapl", false}, {"", false}} {
		ok, err := h.Verify(hash, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("Verify(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	// A hash made with other parameters still verifies.
	ok, err := New(Default).Verify(hash, "correct horse battery staple")
	if !ok || err != nil {
		t.Errorf("verify with other default params: %v %v", ok, err)
	}
	other, _ := h.Hash("correct horse battery staple")
	if other == hash {
		t.Error("two hashes of the same password are equal; the salt is not random")
	}
}

func TestVerifyRejectsGarbage(t *testing.T) {
	h := New(Fast)
	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=64,t=1,p=1$$", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=64,t=1,p=0$c2FsdA$a2V5"} {
		if ok, err := h.Verify(bad, "x"); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want an error", bad, ok, err)
		}
	}
}

func BenchmarkHashDefault(b *testing.B) {
	h := New(Default)
	for b.Loop() {
		if _, err := h.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

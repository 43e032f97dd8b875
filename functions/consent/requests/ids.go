package requests

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// crockford is Crockford's base32 alphabet: no I, L, O or U, so a
// reference read out over the phone is not misheard.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newReference draws a reference such as "KS-7F3K9Q": 30 random bits, short
// enough to quote, with collisions handled by the store's conditional put.
func newReference() string {
	var b [6]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	out := []byte("KS-")
	for _, c := range b {
		out = append(out, crockford[c&31]) // 256 is a multiple of 32: uniform
	}
	return string(out)
}

// isReference reports whether s is a reference newReference could draw.
func isReference(s string) bool {
	if len(s) != 9 || !strings.HasPrefix(s, "KS-") {
		return false
	}
	for i := 3; i < len(s); i++ {
		if strings.IndexByte(crockford, s[i]) < 0 {
			return false
		}
	}
	return true
}

// newToken returns a 256-bit verification token for the email link and its
// SHA-256, the only form the store keeps.
func newToken() (token, hash string) {
	var b [32]byte
	rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, tokenHash(token)
}

// tokenHash is the hex SHA-256 of a token, what the store keeps of it.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// isToken reports whether s is a token newToken could draw.
func isToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil
}

// TokenLifetime is how long a confirmation link works (the email says 7
// days).
const TokenLifetime = 7 * 24 * time.Hour

// randomID tells apart two audit lines of one request written in the
// same instant.
func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

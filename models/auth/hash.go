package auth

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Hash costs. Odoo 17 hashes passwords with 600,000 rounds of
// pbkdf2-sha512 and API keys, which are long random strings, with 6,000.
const (
	DefaultPasswordRounds = 600_000
	DefaultKeyRounds      = 6_000
)

const (
	hashScheme = "pbkdf2-sha512"
	hashPrefix = "$" + hashScheme + "$"
	saltSize   = 16 // passlib's default salt size for pbkdf2 hashes
	sumSize    = sha512.Size
	maxRounds  = 1<<32 - 1
)

// errMalformedHash reports a stored hash this package cannot parse.
var errMalformedHash = errors.New("malformed pbkdf2-sha512 hash")

// ab64 is passlib's "adapted base64": the standard alphabet with '.'
// instead of '+', without padding.
var ab64 = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./").
	WithPadding(base64.NoPadding)

// HashPassword hashes password the way passlib's pbkdf2_sha512 does (and so
// Odoo): "$pbkdf2-sha512$<rounds>$<salt>$<checksum>", salt and checksum in
// adapted base64. Rounds below 1 use DefaultPasswordRounds.
func HashPassword(password string, rounds int) (string, error) {
	if rounds < 1 {
		rounds = DefaultPasswordRounds
	}
	if rounds > maxRounds {
		return "", fmt.Errorf("hash password: %d rounds is too many", rounds)
	}
	salt := make([]byte, saltSize)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	sum, err := pbkdf2.Key(sha512.New, password, salt, rounds, sumSize)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hashPrefix + strconv.Itoa(rounds) + "$" + ab64.EncodeToString(salt) + "$" + ab64.EncodeToString(sum), nil
}

// VerifyPassword reports whether password matches encoded, a hash written
// by HashPassword or by passlib/Odoo. The derived keys are compared in
// constant time. A malformed hash is an error, never a match.
func VerifyPassword(password, encoded string) (bool, error) {
	rounds, salt, sum, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	got, err := pbkdf2.Key(sha512.New, password, salt, rounds, len(sum))
	if err != nil {
		return false, fmt.Errorf("verify password: %w", err)
	}
	return subtle.ConstantTimeCompare(got, sum) == 1, nil
}

// HashRounds returns the rounds of a pbkdf2-sha512 hash, or 0 when encoded
// is not one.
func HashRounds(encoded string) int {
	rounds, _, _, err := parseHash(encoded)
	if err != nil {
		return 0
	}
	return rounds
}

// IsHash reports whether s looks like a pbkdf2-sha512 hash (it may still be
// malformed); anything else stored in a password column is a legacy
// clear-text password.
func IsHash(s string) bool { return strings.HasPrefix(s, "$") }

// parseHash splits "$pbkdf2-sha512$rounds$salt$sum" into its parts.
func parseHash(encoded string) (rounds int, salt, sum []byte, err error) {
	rest, ok := strings.CutPrefix(encoded, hashPrefix)
	if !ok {
		return 0, nil, nil, errMalformedHash
	}
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return 0, nil, nil, errMalformedHash
	}
	// passlib writes rounds without leading zeros and refuses them on parse.
	if parts[0] == "" || (parts[0][0] == '0' && parts[0] != "0") {
		return 0, nil, nil, errMalformedHash
	}
	r, err := strconv.ParseUint(parts[0], 10, 32)
	if err != nil || r < 1 {
		return 0, nil, nil, errMalformedHash
	}
	salt, err = decodeAB64(parts[1])
	if err != nil {
		return 0, nil, nil, errMalformedHash
	}
	sum, err = decodeAB64(parts[2])
	if err != nil || len(sum) != sumSize {
		return 0, nil, nil, errMalformedHash
	}
	return int(r), salt, sum, nil
}

// decodeAB64 decodes adapted base64, tolerating trailing '=' padding.
func decodeAB64(s string) ([]byte, error) {
	return ab64.DecodeString(strings.TrimRight(s, "="))
}

package auth

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Vectors computed once with Python's hashlib.pbkdf2_hmac("sha512", ...)
// and passlib's adapted base64, the salt being
// 7a1f0b9c3e44d2a8f06b15c3e9d70a52 (hex).
var passlibVectors = []struct {
	name, password, hash string
}{
	{"odoo17 default cost", "admin",
		"$pbkdf2-sha512$600000$eh8LnD5E0qjwaxXD6dcKUg$jQaQqfiSNgfhzU./LjBXVQqx9YdWAZ2M3Om.49mYhRl4aQ.bxk7MjuRbEVW/tmLmJayezOLFz9ujq3zZ3sbogA"},
	{"api key cost", "correct horse battery staple",
		"$pbkdf2-sha512$6000$eh8LnD5E0qjwaxXD6dcKUg$g3TW51Gc.sRhqu4nVIQS1ZjwewRT8z86JJR6Hrj4HjkUvKaJwn3U2xXOTxiqMV3q8bFfNu3pI8Ml2FyW4W3bJw"},
	{"utf-8 password", "pässwörd",
		"$pbkdf2-sha512$1000$eh8LnD5E0qjwaxXD6dcKUg$EtuOncnWUGb1J0eh1Vvtcjjd0fH9AK6bqt06x6pNHm8pW0AQqyEFRKD0DPvsRsdPnj5dMZWWiZSt6LqR7aPJJg"},
}

func TestVerifyPasslibVectors(t *testing.T) {
	t.Parallel()
	for _, v := range passlibVectors {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			if (testing.Short() || raceEnabled) && HashRounds(v.hash) > 10_000 {
				t.Skip("600k rounds: slow under -short and -race (the 6k and 1k vectors still run)")
			}
			ok, err := VerifyPassword(v.password, v.hash)
			require.NoError(t, err)
			require.True(t, ok)

			ok, err = VerifyPassword(v.password+"x", v.hash)
			require.NoError(t, err)
			require.False(t, ok)
		})
	}
}

func TestHashPasswordRoundTrip(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("s3cret", 1000)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(h, "$pbkdf2-sha512$1000$"), h)
	parts := strings.Split(h, "$")
	require.Len(t, parts, 5)
	require.Len(t, parts[3], 22, "16-byte salt in ab64")
	require.Len(t, parts[4], 86, "64-byte checksum in ab64")
	require.NotContains(t, h, "+")
	require.NotContains(t, h, "=")
	require.Equal(t, 1000, HashRounds(h))

	ok, err := VerifyPassword("s3cret", h)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = VerifyPassword("S3cret", h)
	require.NoError(t, err)
	require.False(t, ok)

	h2, err := HashPassword("s3cret", 1000)
	require.NoError(t, err)
	require.NotEqual(t, h, h2, "fresh salt each time")
}

func TestHashPasswordDefaultRounds(t *testing.T) {
	t.Parallel()
	require.Equal(t, 600000, DefaultPasswordRounds)
	require.Equal(t, 6000, DefaultKeyRounds)
	_, err := HashPassword("x", maxRounds+1)
	require.Error(t, err)
}

func TestVerifyPasswordMalformed(t *testing.T) {
	t.Parallel()
	good := passlibVectors[2].hash
	for name, h := range map[string]string{
		"empty":          "",
		"other scheme":   strings.Replace(good, "sha512", "sha256", 1),
		"missing part":   "$pbkdf2-sha512$1000$eh8LnD5E0qjwaxXD6dcKUg",
		"zero rounds":    strings.Replace(good, "$1000$", "$0$", 1),
		"leading zero":   strings.Replace(good, "$1000$", "$01000$", 1),
		"bad rounds":     strings.Replace(good, "$1000$", "$x$", 1),
		"bad salt":       strings.Replace(good, "eh8LnD5E0qjwaxXD6dcKUg", "eh8*", 1),
		"short checksum": good[:len(good)-10],
		"plain text":     "admin",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ok, err := VerifyPassword("pässwörd", h)
			require.Error(t, err)
			require.False(t, ok)
			require.Zero(t, HashRounds(h))
		})
	}
}

func TestVerifyPasswordToleratesPadding(t *testing.T) {
	t.Parallel()
	v := passlibVectors[2]
	parts := strings.Split(v.hash, "$")
	parts[3] += "=="
	ok, err := VerifyPassword(v.password, strings.Join(parts, "$"))
	require.NoError(t, err)
	require.True(t, ok)
}

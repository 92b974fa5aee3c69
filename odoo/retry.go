package odoo

import (
	"context"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// CheckRetryFunc decides, after a failed attempt, whether to try again. resp
// is the HTTP response when one arrived (its body already read and closed),
// err the attempt's error. A non-nil error returned stops the retries and is
// returned to the caller instead of err.
type CheckRetryFunc func(ctx context.Context, resp *http.Response, err error) (bool, error)

// BackoffFunc returns how long to wait before retry number attempt (1 for
// the first retry), between min and max unless the server asked otherwise
// through resp.
type BackoffFunc func(min, max time.Duration, attempt int, resp *http.Response) time.Duration

// HTTPError is an answer of Odoo, or of a proxy in front of it, whose status
// is not 2xx.
type HTTPError struct {
	StatusCode int
	Status     string
}

func (e *HTTPError) Error() string { return "odoo: http status " + e.Status }

// Errors of the transport that no retry will fix (retryablehttp's list).
var (
	redirectsRe  = regexp.MustCompile(`stopped after \d+ redirects\z`)
	schemeRe     = regexp.MustCompile(`unsupported protocol scheme`)
	invalidHdrRe = regexp.MustCompile(`invalid header`)
)

// DefaultCheckRetry retries transport errors, HTTP 429 and 5xx (but not
// 501), and nothing else: never an Odoo fault, never a 4xx, never a reply
// that could not be decoded. It stops with ctx.Err() once ctx is done.
func DefaultCheckRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var me *models.Error
	if errors.As(err, &me) {
		return false, nil // a fault: Odoo answered, retrying will not change it
	}
	if resp != nil {
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			return true, nil
		case resp.StatusCode == http.StatusNotImplemented:
			return false, nil
		case resp.StatusCode >= 500:
			return true, nil
		case resp.StatusCode >= 300:
			return false, nil
		}
		// 2xx with an error: the body could not be read or decoded.
		var te *transportError
		return errors.As(err, &te), nil
	}
	if err == nil {
		return false, nil
	}
	var cert *x509.UnknownAuthorityError
	var certInvalid x509.CertificateInvalidError
	if errors.As(err, &cert) || errors.As(err, &certInvalid) {
		return false, nil
	}
	s := err.Error()
	if redirectsRe.MatchString(s) || schemeRe.MatchString(s) || invalidHdrRe.MatchString(s) {
		return false, nil
	}
	var te *transportError
	var ue *url.Error
	return errors.As(err, &te) || errors.As(err, &ue), nil
}

// transportError marks an error of the HTTP exchange itself (dial, write,
// read of the body), as opposed to a decoding or local error.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// FullJitterBackoff returns the "full jitter" exponential backoff: a wait
// drawn uniformly from [0, min(max, min*2^(attempt-1))], so that many
// clients retrying together spread out. rnd(n) must return an integer in
// [0, n); nil means math/rand/v2's Int64N. A Retry-After header on the
// response (seconds or an HTTP date), as sent with 429 and 503, wins.
func FullJitterBackoff(rnd func(n int64) int64) BackoffFunc {
	if rnd == nil {
		rnd = rand.Int64N
	}
	return func(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
		if d, ok := retryAfter(resp, time.Now()); ok {
			return d
		}
		return time.Duration(rnd(int64(BackoffCeiling(min, max, attempt)) + 1))
	}
}

// BackoffCeiling is min*2^(attempt-1) capped at max: the upper bound of the
// full-jitter wait before retry number attempt.
func BackoffCeiling(min, max time.Duration, attempt int) time.Duration {
	if min <= 0 {
		return 0
	}
	ceil := min
	for i := 1; i < attempt && ceil < max; i++ {
		ceil *= 2
	}
	if ceil > max {
		ceil = max
	}
	return ceil
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// statusError builds the error of a non-2xx answer.
func statusError(resp *http.Response) error {
	return &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status}
}

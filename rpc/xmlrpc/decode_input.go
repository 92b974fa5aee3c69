package xmlrpc

import (
	"bufio"
	"fmt"
	"io"
)

// The byte level of decoding: byte order mark, reader errors, encodings.

// skipBOM skips a UTF-8 byte order mark at the start of an in-memory
// reader.
func skipBOM(r interface {
	io.Reader
	io.Seeker
}) {
	var b [3]byte
	n, _ := io.ReadFull(r, b[:])
	if n == 3 && string(b[:]) == "\ufeff" {
		return
	}
	_, _ = r.Seek(int64(-n), io.SeekCurrent)
}

// errReader remembers the error of the underlying reader, so that it is
// not mistaken for an XML error.
type errReader struct {
	r   *bufio.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

func (e *errReader) ReadByte() (byte, error) {
	c, err := e.r.ReadByte()
	if err != nil && err != io.EOF {
		e.err = err
	}
	return c, err
}

// charsetReader accepts the encodings expat knows besides UTF-8 that
// fit in one byte per character.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch normalizeLabel(label) {
	case "usascii", "ascii":
		return r, nil
	case "iso88591", "latin1", "l1":
		return &latin1Reader{r: bufio.NewReader(r)}, nil
	}
	return nil, fmt.Errorf("unknown encoding %q", label)
}

func normalizeLabel(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		}
	}
	return string(b)
}

// latin1Reader converts ISO-8859-1 to UTF-8.
type latin1Reader struct {
	r       *bufio.Reader
	pending byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if l.pending != 0 {
			p[n] = l.pending
			l.pending = 0
			n++
			continue
		}
		if n > 0 && l.r.Buffered() == 0 {
			break
		}
		c, err := l.r.ReadByte()
		if err != nil {
			return n, err
		}
		if c < 0x80 {
			p[n] = c
			n++
			continue
		}
		p[n] = 0xc0 | c>>6
		l.pending = 0x80 | c&0x3f
		n++
	}
	return n, nil
}

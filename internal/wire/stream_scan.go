package wire

// value reads one JSON value, validating it, and appends it in compact form to dst when keep.
// It does not recurse, so deep nesting cannot exhaust the stack.
func (d *streamDecoder) value(dst []byte, keep bool) ([]byte, error) {
	base := d.depth
	var stack []byte // open containers: '{' or '['
	for {
		c, err := d.peekValue()
		if err != nil {
			return dst, err
		}
		closed := false
		switch {
		case c == '{' || c == '[':
			if _, err := d.next(); err != nil {
				return dst, err
			}
			if err := d.push(); err != nil {
				return dst, err
			}
			if keep {
				dst = append(dst, c)
			}
			stack = append(stack, c)
			end := byte('}')
			if c == '[' {
				end = ']'
			}
			c2, err := d.peekValue()
			if err != nil {
				return dst, err
			}
			if c2 == end {
				if _, err := d.next(); err != nil {
					return dst, err
				}
				if keep {
					dst = append(dst, end)
				}
				stack = stack[:len(stack)-1]
				d.depth--
				closed = true
			} else if c == '{' {
				if dst, err = d.objKey(dst, keep); err != nil {
					return dst, err
				}
			}
		case c == '"':
			if _, err := d.next(); err != nil {
				return dst, err
			}
			if keep {
				dst = append(dst, '"')
			}
			if dst, err = d.str(dst, keep); err != nil {
				return dst, err
			}
			closed = true
		case c == 't':
			if dst, err = d.literal(dst, keep, "true"); err != nil {
				return dst, err
			}
			closed = true
		case c == 'f':
			if dst, err = d.literal(dst, keep, "false"); err != nil {
				return dst, err
			}
			closed = true
		case c == 'n':
			if dst, err = d.literal(dst, keep, "null"); err != nil {
				return dst, err
			}
			closed = true
		case c == '-' || isDigit(c):
			if dst, err = d.number(dst, keep); err != nil {
				return dst, err
			}
			closed = true
		default:
			return dst, d.syntax(d.off, "invalid character")
		}
		// After a complete value: close containers or move to the next element.
		for closed {
			if len(stack) == 0 {
				if d.depth != base {
					return dst, d.syntax(d.off, "internal nesting error")
				}
				return dst, nil
			}
			top := stack[len(stack)-1]
			end := byte('}')
			if top == '[' {
				end = ']'
			}
			c, err := d.take()
			if err != nil {
				return dst, err
			}
			switch c {
			case ',':
				if keep {
					dst = append(dst, ',')
				}
				if top == '{' {
					if dst, err = d.objKey(dst, keep); err != nil {
						return dst, err
					}
				}
				closed = false
			case end:
				if keep {
					dst = append(dst, end)
				}
				stack = stack[:len(stack)-1]
				d.depth--
			default:
				return dst, d.syntax(d.off-1, "expected ',' or a closing bracket")
			}
		}
	}
}

// objKey reads `"key":` inside an object being captured.
func (d *streamDecoder) objKey(dst []byte, keep bool) ([]byte, error) {
	if err := d.expect('"', "expected a key"); err != nil {
		return dst, err
	}
	if keep {
		dst = append(dst, '"')
	}
	dst, err := d.str(dst, keep)
	if err != nil {
		return dst, err
	}
	if err := d.expect(':', "expected ':'"); err != nil {
		return dst, err
	}
	if keep {
		dst = append(dst, ':')
	}
	return dst, nil
}

// str reads the rest of a JSON string whose opening quote has been consumed.
func (d *streamDecoder) str(dst []byte, keep bool) ([]byte, error) {
	for {
		c, err := d.next()
		if err != nil {
			return dst, err
		}
		if keep {
			dst = append(dst, c)
		}
		switch {
		case c == '"':
			return dst, nil
		case c < 0x20:
			return dst, d.syntax(d.off-1, "control character in string")
		case c == '\\':
			e, err := d.next()
			if err != nil {
				return dst, err
			}
			if keep {
				dst = append(dst, e)
			}
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for k := 0; k < 4; k++ {
					h, err := d.next()
					if err != nil {
						return dst, err
					}
					if unhex(h) < 0 {
						return dst, d.syntax(d.off-1, "bad \\u escape")
					}
					if keep {
						dst = append(dst, h)
					}
				}
			default:
				return dst, d.syntax(d.off-1, "bad escape")
			}
		}
	}
}

func (d *streamDecoder) literal(dst []byte, keep bool, lit string) ([]byte, error) {
	for i := 0; i < len(lit); i++ {
		c, err := d.next()
		if err != nil {
			return dst, err
		}
		if c != lit[i] {
			return dst, d.syntax(d.off-1, "invalid literal")
		}
	}
	if keep {
		dst = append(dst, lit...)
	}
	return dst, nil
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *streamDecoder) number(dst []byte, keep bool) ([]byte, error) {
	peek := func() (byte, error) {
		b, err := d.br.Peek(1)
		if err != nil {
			return 0, d.readErr(err)
		}
		return b[0], nil
	}
	take := func() error {
		c, err := d.next()
		if err == nil && keep {
			dst = append(dst, c)
		}
		return err
	}
	digits := func(atLeastOne bool) error {
		n := 0
		for {
			c, err := peek()
			if err != nil {
				return err
			}
			if !isDigit(c) {
				if atLeastOne && n == 0 {
					return d.syntax(d.off, "bad number")
				}
				return nil
			}
			if err := take(); err != nil {
				return err
			}
			n++
		}
	}
	c, err := peek()
	if err != nil {
		return dst, err
	}
	if c == '-' {
		if err := take(); err != nil {
			return dst, err
		}
		if c, err = peek(); err != nil {
			return dst, err
		}
	}
	switch {
	case c == '0':
		if err := take(); err != nil {
			return dst, err
		}
	case isDigit(c):
		if err := digits(true); err != nil {
			return dst, err
		}
	default:
		return dst, d.syntax(d.off, "bad number")
	}
	if c, err = peek(); err != nil {
		return dst, err
	}
	if c == '.' {
		if err := take(); err != nil {
			return dst, err
		}
		if err := digits(true); err != nil {
			return dst, err
		}
		if c, err = peek(); err != nil {
			return dst, err
		}
	}
	if c == 'e' || c == 'E' {
		if err := take(); err != nil {
			return dst, err
		}
		if c, err = peek(); err != nil {
			return dst, err
		}
		if c == '+' || c == '-' {
			if err := take(); err != nil {
				return dst, err
			}
		}
		if err := digits(true); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

package kyc

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"

	"github.com/kycgo/kyc/internal/wire"
)

// The one result decoder: every kyc1 result type (and the bill's records) is decoded directly
// from its JSON object, by the wire names in its fields' tags, with no mirror struct in between.
//
// A field's names come from its `wire` tag, else from its `json` tag; a field with neither (or
// "-") is not read from the object (media, which are streamed, and what the caller fills from
// the frame). `wire:"IdCard,Idcard"` lists spellings: the first one the object holds with a
// value that is not empty wins. Keys match as encoding/json matches them: exactly, else without
// regard to case.
//
// Values are read leniently, because the service is inconsistent about scalar types: docs/A-auth-sign-face.md §8
// item 1 (code is "0" in one example and 0 in another, against tables that say String or int),
// item 2 (expire_in "7200" in every example, int in the Basic tables), and docs/B-h5-wechat-billing.md's billing
// notes (DetectDetail.Errcode an int, ChargeDetail.ErrorCode a string, both read as text). So a
// text field takes a string, a number or a boolean (wire.Str); an integer field a number or a
// numeric string (wire.Int); a list of text, each item as a text field; a *bool field true,
// false, their strings, null or "" (optBool); any other field decodes as encoding/json decodes
// it (its own UnmarshalJSON included). Options after the names: "list" lets a text field take a
// list of scalars, joined with "," (looseText); "code" reads a result code and writes every
// spelling of zero as "0" (normCode); "base64" reads a media field from base64 text
// (decodeBase64Loose). A null or an absent key leaves the field as it was.

// wireField is one decoded field of a result type.
type wireField struct {
	index             []int
	names             []string
	list, code, isB64 bool
}

var wireFields sync.Map // reflect.Type -> []wireField

func fieldsOf(t reflect.Type) []wireField {
	if fs, ok := wireFields.Load(t); ok {
		return fs.([]wireField)
	}
	var fs []wireField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("wire")
		if !ok {
			tag = sf.Tag.Get("json")
		}
		if tag == "" || tag == "-" || !sf.IsExported() {
			continue
		}
		f := wireField{index: sf.Index}
		for _, part := range strings.Split(tag, ",") {
			switch part {
			case "list":
				f.list = true
			case "code":
				f.code = true
			case "base64":
				f.isB64 = true
			case "", "omitempty", "string":
			default:
				f.names = append(f.names, part)
			}
		}
		fs = append(fs, f)
	}
	wireFields.Store(t, fs)
	return fs
}

// notBase64 is the error of a "base64" field whose text is not base64; field is its wire name.
type notBase64 struct{ field string }

func (e notBase64) Error() string { return e.field + " is not base64" }

// decodeObject decodes the JSON object raw into the struct dst points to and returns the object
// (its raw members by key, for callers that keep the unknown ones). A null or empty raw decodes
// to nothing. An error never quotes the answer.
func decodeObject(raw []byte, dst any) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, errors.New("not a JSON object")
		}
	}
	v := reflect.ValueOf(dst).Elem()
	for _, f := range fieldsOf(v.Type()) {
		fv := v.FieldByIndex(f.index)
		for _, name := range f.names {
			b, ok := member(obj, name)
			if !ok {
				continue
			}
			if err := setField(fv, b, f); err != nil {
				if errors.Is(err, notBase64{}) {
					return nil, notBase64{name}
				}
				return nil, err
			}
			if !fv.IsZero() {
				break
			}
		}
	}
	return obj, nil
}

// member finds key in obj as encoding/json would: exactly, else without regard to case.
func member(obj map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	if b, ok := obj[key]; ok {
		return b, true
	}
	for k, b := range obj {
		if strings.EqualFold(k, key) {
			return b, true
		}
	}
	return nil, false
}

var boolPtrType = reflect.TypeFor[*bool]()

// setField decodes one member into fv (see the file comment for the rules).
func setField(fv reflect.Value, b json.RawMessage, f wireField) error {
	if string(b) == "null" {
		return nil
	}
	switch {
	case f.code:
		var c wire.Code
		if err := c.UnmarshalJSON(b); err != nil {
			return err
		}
		fv.SetString(normCode(c))
	case f.list:
		fv.SetString(looseText(b))
	case f.isB64:
		var s wire.Str
		if err := s.UnmarshalJSON(b); err != nil {
			return err
		}
		if s == "" {
			return nil
		}
		m, err := decodeBase64Loose(string(s))
		if err != nil {
			return notBase64{}
		}
		fv.SetBytes(m)
	case fv.Kind() == reflect.String:
		var s wire.Str
		if err := s.UnmarshalJSON(b); err != nil {
			return err
		}
		fv.SetString(string(s))
	case fv.Kind() >= reflect.Int && fv.Kind() <= reflect.Int64:
		var n wire.Int
		if err := n.UnmarshalJSON(b); err != nil {
			return err
		}
		fv.SetInt(int64(n))
	case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.String:
		var list []wire.Str
		if err := json.Unmarshal(b, &list); err != nil || len(list) == 0 {
			return err
		}
		out := reflect.MakeSlice(fv.Type(), len(list), len(list))
		for i, x := range list {
			out.Index(i).SetString(string(x))
		}
		fv.Set(out)
	case fv.Type() == boolPtrType:
		var o optBool
		if err := o.UnmarshalJSON(b); err != nil {
			return err
		}
		fv.Set(reflect.ValueOf(o.p))
	default:
		return json.Unmarshal(b, fv.Addr().Interface())
	}
	return nil
}

// optBool is a nullable boolean that also accepts "true" and "false" as strings.
type optBool struct{ p *bool }

func (o *optBool) UnmarshalJSON(b []byte) error {
	switch strings.TrimSpace(string(b)) {
	case "null", `""`:
		o.p = nil
	case "true", `"true"`:
		v := true
		o.p = &v
	case "false", `"false"`:
		v := false
		o.p = &v
	default:
		return errors.New("kyc: IsNeedCharge is not a boolean")
	}
	return nil
}

// decodeBase64Loose decodes standard base64 with or without padding, ignoring line breaks.
func decodeBase64Loose(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

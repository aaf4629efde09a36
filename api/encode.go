package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// node is one element of a response tree. The same tree renders as AWS's XML
// (2-space indent, no declaration, text nodes never padded) or as the JSON
// variant real STS returns for Accept: application/json (spec §1.4).
type node struct {
	name   string
	text   string
	leaf   bool
	isList bool // children are list members
	kids   []*node
}

func el(name string, kids ...*node) *node { return &node{name: name, kids: compact(kids)} }

func leaf(name, text string) *node { return &node{name: name, text: text, leaf: true} }

// optLeaf is a leaf, or nil (omitted) when v is nil.
func optLeaf(name string, v *string) *node {
	if v == nil {
		return nil
	}
	return leaf(name, *v)
}

func intLeaf(name string, n int) *node { return leaf(name, strconv.Itoa(n)) }

func boolLeaf(name string, b bool) *node { return leaf(name, strconv.FormatBool(b)) }

// timeLeaf renders an ISO-8601 UTC timestamp with a literal Z and whole
// seconds, which aws-sdk-go v1's strict layout and every other client accept.
func timeLeaf(name string, t time.Time) *node {
	return leaf(name, formatTime(t))
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// list renders <name><member>…</member></name>, or <name/> when empty.
func list(name string, members []*node) *node {
	for _, m := range members {
		m.name = "member"
	}
	return &node{name: name, isList: true, kids: compact(members)}
}

// compact drops the nil (omitted) nodes in place: the slice is the
// variadic arguments or a list its caller built for the node, owned by it
// from then on.
func compact(ns []*node) []*node {
	out := ns[:0]
	for _, n := range ns {
		if n != nil {
			out = append(out, n)
		}
	}
	return out
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;", "\r", "&#xD;")

// writeXMLText writes text escaped for an XML element's content.
func writeXMLText(b *bytes.Buffer, text string) {
	if strings.ContainsAny(text, "&<>\"\r") {
		xmlEscaper.WriteString(b, text)
	} else {
		b.WriteString(text)
	}
}

func (n *node) writeXML(b *bytes.Buffer, depth int, xmlns string) {
	for range depth {
		b.WriteString("  ")
	}
	b.WriteByte('<')
	b.WriteString(n.name)
	if xmlns != "" {
		b.WriteString(` xmlns="`)
		b.WriteString(xmlns)
		b.WriteByte('"')
	}
	switch {
	case n.leaf:
		b.WriteByte('>')
		writeXMLText(b, n.text)
	case len(n.kids) == 0:
		b.WriteString("/>\n")
		return
	default:
		b.WriteString(">\n")
		for _, k := range n.kids {
			k.writeXML(b, depth+1, "")
		}
		for range depth {
			b.WriteString("  ")
		}
	}
	b.WriteString("</")
	b.WriteString(n.name)
	b.WriteString(">\n")
}

// value renders the node's content: strings for leaves, arrays for lists,
// objects otherwise, their members named by key.
func (n *node) value(key memberKey) any {
	switch {
	case n.leaf:
		return n.text
	case n.isList:
		out := make([]any, 0, len(n.kids))
		for _, k := range n.kids {
			out = append(out, k.value(key))
		}
		return out
	}
	return n.object(key)
}

// object renders the node's children as an object's members, named by key;
// the members key refuses are left out.
func (n *node) object(key memberKey) map[string]any {
	out := make(map[string]any, len(n.kids))
	for _, k := range n.kids {
		if name, ok := key(k.name); ok {
			out[name] = k.value(key)
		}
	}
	return out
}

// memberKey names the JSON member for an element, or refuses it.
type memberKey func(element string) (string, bool)

// wireKey names JSON members as the XML protocol names the elements.
func wireKey(element string) (string, bool) { return element, true }

func (n *node) marshalJSON() []byte {
	// Maps of strings, slices and maps always marshal.
	b, _ := json.Marshal(map[string]any{n.name: n.value(wireKey)})
	return b
}

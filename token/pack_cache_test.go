package token

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
)

// deflated is what packing without the cache gives.
func deflated(t *testing.T, policy string, arns []string, tags []Tag) []byte {
	t.Helper()
	p := new(packer)
	p.raw = appendEncoded(nil, policy, arns, tags)
	p.compress()
	return bytes.Clone(p.out.b)
}

// A cached packing is exactly the fresh one, a caller changing what Pack
// returned does not change the cache, different inputs never share an
// entry, and the cache starts over when full.
func TestPackCache(t *testing.T) {
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	tags := []Tag{{Key: "team", Value: "blue"}}
	want := deflated(t, policy, nil, tags)
	for i := range 3 {
		got, _ := Pack(policy, nil, tags)
		if !bytes.Equal(got, want) {
			t.Fatalf("Pack #%d differs from DEFLATE", i+1)
		}
		got[0] ^= 0xff
	}
	other, _ := Pack(policy, nil, []Tag{{Key: "team", Value: "red"}})
	if p, _, _, ok := unpack(other); !ok || p != policy {
		t.Fatalf("other tags: unpack = %q, %v", p, ok)
	}
	if bytes.Equal(other, want) {
		t.Fatal("different tags gave the same packing")
	}
	for i := range maxRecentPacks + 10 {
		Pack(fmt.Sprintf(`{"Sid":"%d"}`, i), nil, nil)
	}
	recentPacks.mu.Lock()
	n := len(recentPacks.m)
	recentPacks.mu.Unlock()
	if n > maxRecentPacks {
		t.Errorf("cache holds %d packings, bound %d", n, maxRecentPacks)
	}
	if got, _ := Pack(policy, nil, tags); !bytes.Equal(got, want) {
		t.Error("Pack after the cache started over differs")
	}
}

const benchPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"ReadTeamObjects","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion","s3:ListBucket"],` +
	`"Resource":["arn:aws:s3:::team-data","arn:aws:s3:::team-data/*"]},{"Sid":"WriteOwnPrefix","Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],` +
	`"Resource":"arn:aws:s3:::team-data/alice/*"},{"Sid":"Queues","Effect":"Allow","Action":["sqs:SendMessage","sqs:ReceiveMessage","sqs:DeleteMessage"],` +
	`"Resource":"arn:aws:sqs:us-east-1:*:team-*"},{"Sid":"NoIAM","Effect":"Deny","Action":"iam:*","Resource":"*"}]}`

// BenchmarkPack500 packs the same 500-byte session policy each time (a
// cache hit after the first).
func BenchmarkPack500(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Pack(benchPolicy, nil, nil)
	}
}

// BenchmarkPack500Distinct packs a different 500-byte policy each time: the
// cost of DEFLATE, for a client whose session policy never repeats.
func BenchmarkPack500Distinct(b *testing.B) {
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		Pack(benchPolicy+strconv.Itoa(n), nil, nil)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"soviet"
	"soviet/store"
	"soviet/storetest"
)

// secretVote runs a closed secret vote in a SQLite database at a known
// path and writes its bulletin and one voter's receipt to files.
func secretVote(t *testing.T) (dbPath, bulletinPath, receiptPath string, receipt soviet.Receipt) {
	dir := t.TempDir()
	dbPath = filepath.Join(dir, "soviet.db")
	f := storetest.NewFixture(t, func(t testing.TB, opts store.Options) *store.DB { return storetest.SQLiteAt(t, dbPath, opts) })
	m := f.OpenSecretMotion(f.Putilov, f.Alice, "Recall the commissar", soviet.Simple)
	for i, v := range []int64{f.Founder, f.Alice, f.Bob} {
		r, err := f.Svc.CastBallot(f.Ctx, v, m, []soviet.Choice{soviet.Yes, soviet.No, soviet.Yes}[i])
		if err != nil {
			t.Fatal(err)
		}
		if v == f.Alice {
			receipt = r
		}
	}
	if _, err := f.Svc.CloseVote(f.Ctx, f.Founder, m); err != nil {
		t.Fatal(err)
	}
	b, err := f.DB.Bulletin(f.Ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	j, err := b.JSON()
	if err != nil {
		t.Fatal(err)
	}
	bulletinPath = filepath.Join(dir, "bulletin.json")
	receiptPath = filepath.Join(dir, "receipt.json")
	rj, _ := json.Marshal(receipt)
	if err := os.WriteFile(bulletinPath, j, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(receiptPath, rj, 0o644); err != nil {
		t.Fatal(err)
	}
	return dbPath, bulletinPath, receiptPath, receipt
}

func runSoviet(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestVerifyBallotAndBulletin(t *testing.T) {
	db, bulletin, receiptFile, rc := secretVote(t)
	dir := filepath.Dir(db)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	raw, _ := os.ReadFile(bulletin)
	flipped := write("flipped.json", strings.Replace(string(raw), `{"choice":"no"}`, `{"choice":"yes"}`, 1))
	rcRaw, _ := os.ReadFile(receiptFile)
	forgedReceipt := write("forged-receipt.json", strings.Replace(string(rcRaw), `"no"`, `"yes"`, 1))
	// A bulletin whose published copy differs from the receipt's content:
	// the voter's proof that their ballot was altered.
	altered := write("altered.json", strings.Replace(string(raw), `"content":{"choice":"no"}`, `"content":{"choice":"abstain"}`, 1))
	missing := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"code, from the database", []string{"verify-ballot", "--db", db, rc.Code}, 0, "your receipt is in the bulletin"},
		{"upper-case code", []string{"verify-ballot", "--db", db, strings.ToUpper(rc.Code)}, 0, `{"choice":"no"}`},
		{"receipt file, from the database", []string{"verify-ballot", "--db", db, receiptFile}, 0, "unchanged"},
		{"receipt file, from the bulletin file", []string{"verify-ballot", "--bulletin", bulletin, receiptFile}, 0, "unchanged"},
		{"unknown code", []string{"verify-ballot", "--db", db, missing}, 1, "NOT FOUND"},
		{"unknown code in a bulletin file", []string{"verify-ballot", "--bulletin", bulletin, missing}, 1, "NOT FOUND"},
		{"altered ballot", []string{"verify-ballot", "--bulletin", altered, receiptFile}, 1, "ALTERED"},
		{"forged receipt file", []string{"verify-ballot", "--db", db, forgedReceipt}, 2, "altered"},
		{"neither code nor file", []string{"verify-ballot", "--db", db, "xyz"}, 2, "neither a receipt code"},
		{"no argument", []string{"verify-ballot", "--db", db}, 2, "one receipt"},
		{"no database", []string{"verify-ballot", "--db", filepath.Join(dir, "none.db"), rc.Code}, 2, "no database"},
		{"bulletin against the log", []string{"verify", "--db", db, "--bulletin", bulletin}, 0, "this is the published bulletin"},
		{"bulletin offline", []string{"verify", "--db", filepath.Join(dir, "none.db"), "--bulletin", bulletin}, 2, "no database"},
		{"flipped bulletin", []string{"verify", "--db", db, "--bulletin", flipped}, 1, "differs from the recount"},
		{"not a bulletin", []string{"verify", "--db", db, "--bulletin", receiptFile}, 2, "not a bulletin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runSoviet(tc.args...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Fatalf("exit %d, want %d; output does not mention %q?\n%s%s", code, tc.code, tc.want, out, errs)
			}
		})
	}
	// Offline, with no database in the working folder: the recount alone.
	wd, _ := os.Getwd()
	if err := os.Chdir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	code, out, errs := runSoviet("verify", "--bulletin", bulletin)
	if code != 0 || !strings.Contains(out, "give --db") {
		t.Fatalf("offline recount: exit %d\n%s%s", code, out, errs)
	}
	if code, out, _ := runSoviet("verify", "--bulletin", flipped); code != 1 || !strings.Contains(out, "recount") {
		t.Fatalf("offline recount of a flipped bulletin: exit %d\n%s", code, out)
	}
}

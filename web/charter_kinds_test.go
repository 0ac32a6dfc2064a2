package web

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"soviet"
)

// TestCharterOnlyByMotion: the charter changes by a charter motion of the
// top council and by nothing else. The federation's founder and the
// instance's operator (the account that founded the server, here also the
// founder of another federation) try every other way, through the API
// and the pages: each is refused (403, 404 or 405, or 400 for a charter
// slipped into an ordinary motion), the charter stays as it was, and the
// log does not grow.
func TestCharterOnlyByMotion(t *testing.T) {
	onEachEngine(t, func(t *testing.T, cw *councilWeb) {
		f := cw.f
		cw.seatPutilov()
		// Alice founds a federation of her own: there the fixture's
		// founder is only the operator of the instance.
		var other federationResponse
		cw.api(f.Alice, "POST", "/api/v1/federations", map[string]any{"name": "Kronstadt"}).want(t, 201).decode(t, &other)
		operator := f.Founder

		changed := cw.charterNow()
		changed.SupporterThreshold = 1000
		changed.DirectRecall = true
		changed.Version = 9
		form := charterValues(changed)
		form.Set("title", "Rules by decree")
		before := map[int64]soviet.Charter{f.Fed: cw.charterNow(), other.Federation.ID: other.Charter}

		for _, fed := range []struct {
			id    int64
			actor int64
			who   string
		}{{f.Fed, f.Founder, "founder"}, {other.Federation.ID, operator, "operator"}} {
			fp := pathf("/api/v1/federations/%d", fed.id)
			for _, tc := range []struct {
				method, path string
				body         any
			}{
				{"PUT", fp + "/charter", changed},
				{"POST", fp + "/charter", changed},
				{"PATCH", fp + "/charter", changed},
				{"PUT", fp + "/charters", changed},
				{"POST", fp + "/charters", changed},
				{"PUT", fp + "/charters/2", changed},
				{"DELETE", fp + "/charters/1", nil},
				{"PUT", fp, map[string]any{"charter": changed}},
				{"PATCH", fp, map[string]any{"charter": changed}},
				{"POST", fp, map[string]any{"charter": changed}},
				{"POST", "/api/v1/charters", changed},
			} {
				res := cw.api(fed.actor, tc.method, tc.path, tc.body)
				if !slices.Contains([]int{403, 404, 405}, res.Status) || res.grew {
					t.Errorf("%s: %s %s answered %d (log grew: %v), want 403, 404 or 405 and nothing changed", fed.who, tc.method, tc.path, res.Status, res.grew)
				}
			}
			for _, tc := range []struct {
				method, path string
			}{
				{"POST", pathf("/federations/%d/charter", fed.id)},
				{"POST", pathf("/federations/%d", fed.id)},
				{"PUT", pathf("/federations/%d", fed.id)},
				{"POST", pathf("/federations/%d/charter-amendment", fed.id)},
			} {
				res := cw.browser(fed.actor, tc.method, tc.path, form)
				if !slices.Contains([]int{403, 404, 405}, res.Status) || res.grew {
					t.Errorf("%s: page %s %s answered %d (log grew: %v), want 403, 404 or 405 and nothing changed", fed.who, tc.method, tc.path, res.Status, res.grew)
				}
			}
		}

		// The motions that would do it, but are not the procedure: a
		// charter motion outside the top council, one by who holds no seat
		// in it, a charter slipped into an ordinary motion.
		charter := map[string]any{"kind": "charter", "title": "Rules by decree", "charter": changed}
		cw.api(f.Founder, "POST", pathf("/api/v1/councils/%d/motions", f.Putilov), charter).refused(t, 403, "only in the top council")
		cw.api(f.Founder, "POST", pathf("/api/v1/councils/%d/motions", f.Soviet), charter).refused(t, 403, "may propose a motion")
		cw.api(f.Founder, "POST", pathf("/api/v1/councils/%d/motions", f.Putilov), map[string]any{"title": "Rules by decree", "charter": changed}).
			refused(t, 400, "an ordinary motion has no target, instruction or charter")
		cw.post(f.Founder, pathf("/councils/%d/motions", f.Putilov), form).refused(t, 403, "only in the top council")
		cw.post(f.Founder, pathf("/councils/%d/motions", f.Soviet), form).refused(t, 403, "may propose a motion")
		ordinary := url.Values{}
		for k, v := range form {
			ordinary[k] = v
		}
		ordinary.Del("kind")
		res := cw.post(f.Founder, pathf("/councils/%d/motions", f.Putilov), ordinary).want(t, 303) // an ordinary motion: the rules are ignored
		cw.page(f.Founder, res.Location).want(t, 200).lacks(t, `id="charter-diff"`)
		// Nor does a secretary's vote control make one: the founder,
		// secretary of the Soviet, may not open a vote on a charter
		// motion without it being adopted by two thirds.
		m := cw.propose(f.Alice, f.Soviet, charter)
		if res := cw.vote(m.ID, map[int64]soviet.Choice{f.Alice: soviet.Yes, f.Bob: soviet.No}); res.Adopted {
			t.Fatal("a charter motion passed with half the votes")
		}

		for id, want := range before {
			var fv federationResponse
			actor := f.Founder
			if id != f.Fed {
				actor = f.Alice
			}
			cw.api(actor, "GET", pathf("/api/v1/federations/%d", id), nil).want(t, 200).decode(t, &fv)
			if !reflect.DeepEqual(fv.Charter, want) {
				t.Errorf("federation %d: the charter changed from %+v to %+v", id, want, fv.Charter)
			}
			var cs chartersResponse
			cw.api(actor, "GET", pathf("/api/v1/federations/%d/charters", id), nil).want(t, 200).decode(t, &cs)
			if len(cs.Charters) != 1 {
				t.Errorf("federation %d has %d charter versions, want 1", id, len(cs.Charters))
			}
		}
		// No route of the server takes a charter but the motions'.
		for _, rt := range cw.srv.routes {
			if rt.Method != "GET" && strings.Contains(strings.ToLower(rt.Path), "charter") {
				t.Errorf("%s %s: a route that changes the charter", rt.Method, rt.Path)
			}
		}
	})
}

// TestCharterFormFields: the amendment form documents (charterForm) and
// reads (charterFields) the same rules, every rule of the charter but its
// version.
func TestCharterFormFields(t *testing.T) {
	var documented, read, charter []string
	ft := reflect.TypeOf(charterForm{})
	for i := range ft.NumField() {
		name, _, _ := strings.Cut(ft.Field(i).Tag.Get("json"), ",")
		documented = append(documented, name)
	}
	for _, f := range charterFields {
		read = append(read, f.Field)
	}
	ct := reflect.TypeOf(soviet.Charter{})
	for i := range ct.NumField() {
		if name, _, _ := strings.Cut(ct.Field(i).Tag.Get("json"), ","); name != "version" {
			charter = append(charter, name)
		}
	}
	if !slices.Equal(documented, read) || !slices.Equal(read, charter) {
		t.Fatalf("the form documents %v,\nreads %v,\nthe charter has %v", documented, read, charter)
	}
	// Each rule read back from its shown value gives the charter again.
	ch := soviet.DefaultCharter()
	ch.DirectRecall, ch.RecallThreshold, ch.EscalateAfter = true, soviet.Ratio{Num: 3, Den: 10}, 4
	got := soviet.Charter{Version: ch.Version}
	for _, r := range charterRules(ch, nil) {
		v := r.Value
		if r.Input == "check" && !r.Checked() {
			v = ""
		}
		if err := r.set(&got, v); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(got, ch) {
		t.Fatalf("read back %+v, want %+v", got, ch)
	}
}

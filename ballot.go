package soviet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// Secrecy says whether a vote is named (roll-call) or secret.
type Secrecy string

const (
	// RollCall: each vote is recorded with the voter's name, and the
	// council's members see it.
	RollCall Secrecy = "roll-call"
	// Secret: who took part is recorded, so that no one votes twice; what
	// they voted goes into a ballot box with nothing that links it back,
	// and is published, shuffled, when the vote closes.
	Secret Secrecy = "secret"
)

// Validate reports whether s is roll-call or secret.
func (s Secrecy) Validate() error {
	switch s {
	case RollCall, Secret:
		return nil
	}
	return Errorf(ErrInvalid, "a vote is roll-call or secret, not %q", string(s))
}

// VoteKind names what a vote decides. The charter sets each kind's
// secrecy.
type VoteKind string

// The kinds of vote. Amendments and referendums are votes on motions.
const (
	MotionVote   VoteKind = "motion"
	ElectionVote VoteKind = "election"
	RecallVote   VoteKind = "recall"
)

// ChoiceBallot is the content of a secret ballot on a motion, stored and
// published as canonical JSON: {"choice":"yes"}.
type ChoiceBallot struct {
	Choice Choice `json:"choice"`
	// Council is the voter's base council in a referendum, whose result
	// is given per council too: it narrows a ballot to its council, no
	// further. Zero (left out) in any other vote.
	Council int64 `json:"council,omitempty"`
}

// NonceSize is the size of a receipt's random nonce.
const NonceSize = 32

// Receipt is what a voter keeps of a secret ballot. The code is published
// with the ballot's content when the vote closes, so that the voter can
// find their ballot in the bulletin and see that it is unchanged. The nonce
// is stored nowhere but in the receipt: with it the voter can show anyone
// that the code stands for this content, so that a bulletin that lists the
// code with another content proves the ballot was altered.
type Receipt struct {
	Vote    int64           `json:"vote"`
	Code    string          `json:"receipt"` // ReceiptCode(nonce, content)
	Nonce   string          `json:"nonce"`   // hex
	Content json.RawMessage `json:"content"` // canonical JSON, e.g. {"choice":"yes"}
}

// ReadReceipt reads a receipt file (the JSON form of a Receipt, indented
// or not) and checks it. The content comes back in canonical form.
func ReadReceipt(r io.Reader) (Receipt, error) {
	var rc Receipt
	if err := decodeStrict(r, &rc); err != nil {
		return Receipt{}, Errorf(ErrInvalid, "not a receipt file: %v", err)
	}
	if err := rc.Check(); err != nil {
		return Receipt{}, err
	}
	rc.Content, _ = CanonicalizeJSON(rc.Content)
	return rc, nil
}

// ReceiptCode returns the receipt code of a ballot: the SHA-256, in lower
// case hex, of the nonce's bytes followed by the content's canonical JSON.
func ReceiptCode(nonce, content []byte) string {
	h := sha256.New()
	h.Write(nonce)
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// Check reports whether the receipt is whole: its code is the hash of its
// nonce and of its content in canonical form (a receipt file may be
// indented).
func (r Receipt) Check() error {
	nonce, err := hex.DecodeString(r.Nonce)
	if err != nil || len(nonce) != NonceSize {
		return Errorf(ErrInvalid, "the receipt's nonce must be %d bytes in hex", NonceSize)
	}
	if err := validReceiptCode(r.Code); err != nil {
		return err
	}
	content, err := CanonicalizeJSON(r.Content)
	if err != nil {
		return Errorf(ErrInvalid, "the receipt's content is not JSON")
	}
	if ReceiptCode(nonce, content) != r.Code {
		return Errorf(ErrInvalid, "the receipt's code is not the hash of its nonce and content: the receipt was altered")
	}
	return nil
}

// validReceiptCode checks the form of a receipt code: 64 lower-case hex
// digits.
func validReceiptCode(code string) error {
	if len(code) != 2*sha256.Size {
		return Errorf(ErrInvalid, "a receipt code has %d hex digits, not %d", 2*sha256.Size, len(code))
	}
	for _, c := range code {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return Errorf(ErrInvalid, "a receipt code is made of the digits 0-9 and a-f")
		}
	}
	return nil
}

// newReceipt draws a nonce and returns the receipt of a ballot with the
// given content.
func (s *Service) newReceipt(vote int64, content []byte) (Receipt, error) {
	nonce := make([]byte, NonceSize)
	if _, err := io.ReadFull(s.rand, nonce); err != nil {
		return Receipt{}, fmt.Errorf("receipt nonce: %w", err)
	}
	return Receipt{Vote: vote, Code: ReceiptCode(nonce, content), Nonce: hex.EncodeToString(nonce), Content: content}, nil
}

// CastBallot casts actor's secret ballot on a motion whose secret vote is
// open. Any member of the electorate may, once: the ballot is final. The
// participation is recorded in the log; the ballot goes into the vote's
// box with nothing that names the voter or the time. The returned receipt
// is stored nowhere else with its nonce: the caller shows it to the voter
// once.
//
// Errors: ErrInvalid (an unknown choice), ErrUnauthenticated, ErrNotFound
// (no such motion), ErrForbidden (not a member, or not in the electorate),
// ErrConflict (no open vote, a roll-call vote, a ballot already cast).
func (s *Service) CastBallot(ctx context.Context, actor, motion int64, choice Choice) (Receipt, error) {
	if err := choice.Validate(); err != nil {
		return Receipt{}, err
	}
	var r Receipt
	err := s.store.Transact(WithVoter(ctx, motion, actor), func(ctx context.Context, tx Tx) error {
		v, err := mayVote(ctx, tx, actor, motion)
		if err != nil {
			return err
		}
		if v.Motion.Secrecy != Secret {
			return Errorf(ErrConflict, "this vote is by roll call: cast a named vote")
		}
		ballot := ChoiceBallot{Choice: choice}
		if v.Motion.Referendum {
			ballot.Council = v.Constituency
		}
		content, err := Canonical(ballot)
		if err != nil {
			return err
		}
		if r, err = s.newReceipt(motion, content); err != nil {
			return err
		}
		return castSecret(ctx, tx, actor, r)
	})
	if err != nil {
		return Receipt{}, err
	}
	return r, nil
}

// castSecret records actor's participation in a secret vote and deposits
// the ballot: the part of casting common to every kind of secret vote.
// The caller has checked that actor may vote.
func castSecret(ctx context.Context, tx Tx, actor int64, r Receipt) error {
	if took, err := tx.TookPart(ctx, r.Vote, actor); err != nil {
		return err
	} else if took {
		return Errorf(ErrConflict, "you have already cast your ballot in this vote: a secret ballot is final")
	}
	if _, err := tx.Append(ctx, actor, Participated{Vote: r.Vote}); err != nil {
		return err
	}
	return tx.DepositBallot(ctx, r.Vote, r.Code, r.Content)
}

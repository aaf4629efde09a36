package e2e

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// aws-sdk-go-v2 sees DecodeAuthorizationMessage's refusal of a message
// OpenSTS did not encode as its typed InvalidAuthorizationMessageException.
func TestDecodeAuthorizationMessage_v2(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.sts(e.root).DecodeAuthorizationMessage(context.Background(), &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("bm90IGEgbWVzc2FnZQ")})
	var invalid *ststypes.InvalidAuthorizationMessageException
	if !errors.As(err, &invalid) {
		t.Fatalf("err = %v (%T), want *types.InvalidAuthorizationMessageException", err, err)
	}
}

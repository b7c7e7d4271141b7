package braiins

import (
	"fmt"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
)

// rawCodec is the gRPC codec of this driver: it passes protobuf bytes the
// driver encoded by hand (see wire.go) through unchanged, and hands back
// the reply's bytes for the driver's own bounded decoders. It spares the
// project protoc and generated code for the dozen messages it needs.
//
// Its Name is empty so that grpc-go sends the canonical content-type
// "application/grpc", which every gRPC server, BOSer's included, takes as
// protobuf; a subtype ("application/grpc+proto") is legal but needless.
type rawCodec struct{}

var _ encoding.CodecV2 = rawCodec{}

// Marshal returns the request's bytes; v must be a []byte (an encoded
// message) or a *[]byte.
func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	switch m := v.(type) {
	case []byte:
		return mem.BufferSlice{mem.SliceBuffer(m)}, nil
	case *[]byte:
		return mem.BufferSlice{mem.SliceBuffer(*m)}, nil
	}
	return nil, fmt.Errorf("braiins codec: cannot marshal %T", v)
}

// Unmarshal copies the message's bytes into v, which must be a *[]byte.
// gRPC has already bounded its size (MaxCallRecvMsgSize).
func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("braiins codec: cannot unmarshal into %T", v)
	}
	*m = data.Materialize()
	return nil
}

// Name is empty on purpose; see rawCodec.
func (rawCodec) Name() string { return "" }

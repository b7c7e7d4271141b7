package braiins

import (
	"container/list"
	"context"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/hearth-fleet/hearth"
)

// defaultTokenLife is how long a token lives without use when the Login
// reply does not say (BOS documents 3600 s).
const defaultTokenLife = time.Hour

// loginRetryAfter is how long a refused login is remembered: the calls
// of one poll share the refusal instead of each trying every password
// again (which could also trip a miner's lockout).
const loginRetryAfter = 5 * time.Second

// maxHeaderListSize bounds the headers a miner may send with a reply.
const maxHeaderListSize = 64 << 10

// session is one miner's gRPC connection and login token.
type session struct {
	addr string
	cc   *grpc.ClientConn

	// elem, refs and evicted belong to the cache and are guarded by its
	// mutex: a session evicted while a call uses it is closed by the
	// last user.
	elem    *list.Element
	refs    int
	evicted bool

	// loginSem serialises logins, so that concurrent calls share one.
	loginSem chan struct{}

	mu sync.Mutex // guards the fields below
	// token is the current token, "" before the first login.
	token string
	// life is the token's lifetime without use; expires is when the
	// driver stops trusting it (a margin before the miner drops it).
	life    time.Duration
	expires time.Time
	// asked are the Target credentials the token was obtained for;
	// worked the credentials that the miner accepted (a default).
	asked, worked hearth.Credentials
	// refused is the last login refusal for the credentials refusedFor,
	// at refusedAt.
	refused    error
	refusedFor hearth.Credentials
	refusedAt  time.Time
}

// sessionCache holds the sessions by API address, least recently used
// last.
type sessionCache struct {
	mu     sync.Mutex
	byAddr map[string]*session
	lru    list.List
}

// call invokes method on t's gRPC API with the encoded request and
// returns the reply's bytes and the call's round trip. It logs in first
// when the session has no fresh token, and logs in again and retries
// once when the miner answers UNAUTHENTICATED (its token was dropped,
// say by a reboot).
func (d *Driver) call(ctx context.Context, t hearth.Target, method string, req []byte) ([]byte, time.Duration, error) {
	addr := apiAddr(t)
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	s, err := d.acquire(addr)
	if err != nil {
		return nil, 0, err
	}
	defer d.release(s)
	token, err := s.login(ctx, t.Credentials, "")
	if err != nil {
		return nil, 0, err
	}
	reply, rtt, err := s.invoke(ctx, method, req, token)
	if status.Code(err) == codes.Unauthenticated {
		if token, err = s.login(ctx, t.Credentials, token); err != nil {
			return nil, 0, err
		}
		reply, rtt, err = s.invoke(ctx, method, req, token)
	}
	if err != nil {
		return nil, 0, rpcError(ctx, addr, method, err)
	}
	s.touch()
	return reply, rtt, nil
}

// invoke makes one unary call carrying token as "authorization"
// metadata (the raw token, no "Bearer", as BOS wants it).
func (s *session) invoke(ctx context.Context, method string, req []byte, token string, opts ...grpc.CallOption) ([]byte, time.Duration, error) {
	ctx = withToken(ctx, token)
	var reply []byte
	start := time.Now()
	err := s.cc.Invoke(ctx, method, req, &reply, opts...)
	return reply, time.Since(start), err
}

// withToken returns ctx carrying token as "authorization" metadata, or
// ctx itself when there is no token (Login).
func withToken(ctx context.Context, token string) context.Context {
	if token == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", token)
}

// login returns a token for creds: the session's own while it is fresh
// and not the stale one a miner just refused, a new one from
// AuthenticationService/Login otherwise. With zero creds it tries the
// default root/root and, when the miner refuses it, root with an empty
// password (BOS before 25.07), remembering which one worked.
func (s *session) login(ctx context.Context, creds hearth.Credentials, stale string) (string, error) {
	select {
	case s.loginSem <- struct{}{}:
		defer func() { <-s.loginSem }()
	case <-ctx.Done():
		return "", rpcError(ctx, s.addr, methodLogin, status.FromContextError(ctx.Err()).Err())
	}
	s.mu.Lock()
	if s.token != "" && s.token != stale && s.asked == creds && time.Now().Before(s.expires) {
		token := s.token
		s.mu.Unlock()
		return token, nil
	}
	s.token = ""
	worked := s.worked
	if s.refused != nil && s.refusedFor == creds && time.Since(s.refusedAt) < loginRetryAfter {
		err := s.refused
		s.mu.Unlock()
		return "", err
	}
	s.mu.Unlock()

	candidates := []hearth.Credentials{creds}
	if creds == (hearth.Credentials{}) {
		candidates = []hearth.Credentials{{User: defaultUser, Password: defaultPassword}, {User: defaultUser}}
		if worked == candidates[1] {
			candidates[0], candidates[1] = candidates[1], candidates[0]
		}
	}
	var err error
	for _, c := range candidates {
		var r loginReply
		r, err = s.loginWith(ctx, c)
		if err == nil {
			life := r.Timeout
			if life <= 0 {
				life = defaultTokenLife
			}
			s.mu.Lock()
			s.token, s.life, s.asked, s.worked = r.Token, life, creds, c
			s.refused = nil
			s.mu.Unlock()
			s.touch()
			return r.Token, nil
		}
		if hearth.ErrorCode(err) != hearth.EAUTH {
			return "", err
		}
	}
	s.mu.Lock()
	s.refused, s.refusedFor, s.refusedAt = err, creds, time.Now()
	s.mu.Unlock()
	return "", err
}

// loginWith calls Login with c. The token comes in the reply; BOS also
// sends it in the "authorization" response header (the legacy way),
// which is used when the reply's field is empty.
func (s *session) loginWith(ctx context.Context, c hearth.Credentials) (loginReply, error) {
	var header metadata.MD
	raw, _, err := s.invoke(ctx, methodLogin, loginRequest(c.User, c.Password), "", grpc.Header(&header))
	if err != nil {
		return loginReply{}, rpcError(ctx, s.addr, methodLogin, err)
	}
	r, err := decodeLoginReply(raw)
	if err != nil {
		return loginReply{}, decodeError(s.addr, methodLogin, err)
	}
	if r.Token == "" {
		if v := header.Get("authorization"); len(v) > 0 && len(v[0]) <= 4*maxText {
			r.Token = v[0]
		}
	}
	if r.Token == "" {
		return loginReply{}, hearth.Errorf(hearth.EPROTOCOL, "Braiins OS at %s accepted the login but sent no token.", s.addr)
	}
	return r, nil
}

// touch records a successful call: BOS extends a token's life with each
// request, so the driver's view of its expiry moves too. It keeps a
// margin of a tenth of the life (at most a minute) so that a token is
// renewed before the miner drops it, not after.
func (s *session) touch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	margin := min(s.life/10, time.Minute)
	s.expires = time.Now().Add(s.life - margin)
}

// acquire returns the session of addr, opening a connection when there
// is none (grpc.NewClient does not dial; the first call does), and
// evicts the least recently used sessions beyond MaxConnections.
func (d *Driver) acquire(addr string) (*session, error) {
	c := &d.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.byAddr[addr]; ok {
		c.lru.MoveToFront(s.elem)
		s.refs++
		return s, nil
	}
	cc, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithIdleTimeout(d.idleTimeout()),
		grpc.WithUserAgent("hearth"),
		grpc.WithMaxHeaderListSize(maxHeaderListSize),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: time.Second, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 10 * time.Second},
			MinConnectTimeout: 5 * time.Second,
		}),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawCodec{}), grpc.MaxCallRecvMsgSize(MaxReplySize)),
	)
	if err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Cannot address Braiins OS API at %s.", addr)
	}
	if c.byAddr == nil {
		c.byAddr = map[string]*session{}
	}
	s := &session{addr: addr, cc: cc, loginSem: make(chan struct{}, 1), refs: 1}
	s.elem = c.lru.PushFront(s)
	c.byAddr[addr] = s
	for c.lru.Len() > d.maxConnections() {
		c.evict(c.lru.Back().Value.(*session))
	}
	return s, nil
}

// release ends a call's use of s, closing it if it was evicted meanwhile.
func (d *Driver) release(s *session) {
	c := &d.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	s.refs--
	if s.evicted && s.refs == 0 {
		s.cc.Close()
	}
}

// evict removes s from the cache and closes it unless a call uses it.
// The caller holds c.mu.
func (c *sessionCache) evict(s *session) {
	c.lru.Remove(s.elem)
	delete(c.byAddr, s.addr)
	s.evicted = true
	if s.refs == 0 {
		s.cc.Close()
	}
}

// closeAll evicts every session.
func (c *sessionCache) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.lru.Len() > 0 {
		c.evict(c.lru.Back().Value.(*session))
	}
}

// connections returns how many sessions the cache holds (for tests).
func (c *sessionCache) connections() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

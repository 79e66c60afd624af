package localaws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/rpc"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// spec is the immutable description instances are started from. A
// configuration or code change installs a new spec; instances of an older one
// are retired.
type spec struct {
	name    string
	arn     string
	runtime string
	handler string
	code    *codeDir
	env     []string
	timeout time.Duration
}

// invokeResult is what an invocation produced: the payload and, for function
// errors, the X-Amz-Function-Error value.
type invokeResult struct {
	payload       []byte
	functionError string
}

// invocation is one request to a function.
type invocation struct {
	id            string
	payload       []byte
	clientContext string // JSON, already decoded from base64
	deadline      time.Time
	timer         atomic.Pointer[time.Timer]
	done          atomic.Bool
	res           chan invokeResult // buffered 1; receives exactly once
}

func newInvocation(payload []byte) *invocation {
	return &invocation{id: newRequestID(), payload: payload, res: make(chan invokeResult, 1)}
}

// complete delivers r unless the invocation already has a result.
func (inv *invocation) complete(r invokeResult) bool {
	if !inv.done.CompareAndSwap(false, true) {
		return false
	}
	if t := inv.timer.Load(); t != nil {
		t.Stop()
	}
	inv.res <- r
	return true
}

// functionErrorPayload builds an AWS-style error payload.
func functionErrorPayload(errType, msg string) []byte {
	b, _ := json.Marshal(struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}{errType, msg})
	return b
}

func unhandled(errType, msg string) invokeResult {
	return invokeResult{payload: functionErrorPayload(errType, msg), functionError: "Unhandled"}
}

func timeoutResult(reqID string, d time.Duration) invokeResult {
	return unhandled("Sandbox.Timedout",
		fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", reqID, d.Seconds()))
}

func exitResult(reqID string, waitErr error) invokeResult {
	msg := "Runtime exited without providing a reason"
	if waitErr != nil {
		msg = "Runtime exited with error: " + waitErr.Error()
	}
	return unhandled("Runtime.ExitError", "RequestId: "+reqID+" Error: "+msg)
}

// initFailure describes why an instance could not start; it is reported to
// the invocation that waited for it.
type initFailure struct {
	errType string
	msg     string
	payload []byte // from /runtime/init/error, if the runtime reported one
}

func (f *initFailure) result(reqID string) invokeResult {
	if len(f.payload) > 0 {
		return invokeResult{payload: f.payload, functionError: "Unhandled"}
	}
	return unhandled(f.errType, "RequestId: "+reqID+" Error: "+f.msg)
}

// ---------------------------------------------------------------------------
// pool

type instState int

const (
	stStarting  instState = iota // process started, not yet ready
	stIdle                       // ready, waiting for work
	stBusy                       // handed an invocation
	stFinishing                  // answered; will be ready when it asks for the next
	stDead
)

type acquired struct {
	inst *instance
	fail *initFailure
	err  error
}

type waiter struct {
	ch chan acquired // buffered 1
}

var errPoolClosed = errors.New("function is being deleted or the server is shutting down")

// pool runs the instances of one function: it reuses warm ones, starts up to
// max, and queues invocations beyond that.
type pool struct {
	srv     *Server
	max     int
	logFile *os.File

	mu        sync.Mutex
	spec      *spec
	idle      []*instance // LIFO: the most recently used instance is the warmest
	waiters   []*waiter
	all       map[*instance]struct{}
	total     int // instances not dead
	starting  int
	finishing int
	closed    bool
	seq       int
}

func newPool(s *Server, sp *spec, logPath string) (*pool, error) {
	f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localaws: open function log: %w", err)
	}
	return &pool{
		srv:     s,
		max:     s.opts.MaxInstances,
		logFile: f,
		spec:    sp,
		all:     make(map[*instance]struct{}),
	}, nil
}

// logf writes a platform line to the function log, AWS-style.
func (p *pool) logf(format string, a ...any) {
	line := time.Now().UTC().Format("2006-01-02T15:04:05.000Z") + " localaws " + fmt.Sprintf(format, a...) + "\n"
	_, _ = p.logFile.WriteString(line)
}

func (p *pool) currentSpec() *spec {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.spec
}

// setSpec installs a new spec (configuration or code change): idle instances
// are stopped now, busy ones once they finish.
func (p *pool) setSpec(sp *spec) {
	p.mu.Lock()
	old := p.spec
	p.spec = sp
	idle := p.idle
	p.idle = nil
	for _, inst := range idle {
		inst.state = stBusy // no longer available; counted until it dies
	}
	p.mu.Unlock()
	if old.code != sp.code {
		old.code.release()
	}
	for _, inst := range idle {
		inst.kill("configuration changed")
	}
}

// invoke runs inv on an instance and returns its result. ctx bounds only the
// wait; once started the invocation is bounded by the function timeout.
func (p *pool) invoke(ctx context.Context, inv *invocation) (invokeResult, error) {
	for attempt := 0; ; attempt++ {
		a := p.acquire(ctx)
		if a.err != nil {
			return invokeResult{}, a.err
		}
		if a.fail != nil {
			return a.fail.result(inv.id), nil
		}
		res, ok := a.inst.invoke(ctx, inv)
		if ok || attempt >= 2 {
			return res, nil
		}
		// The instance died between being picked and being handed the work.
	}
}

func (p *pool) acquire(ctx context.Context) acquired {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return acquired{err: errPoolClosed}
	}
	if n := len(p.idle); n > 0 {
		inst := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		inst.state = stBusy
		p.mu.Unlock()
		return acquired{inst: inst}
	}
	w := &waiter{ch: make(chan acquired, 1)}
	p.waiters = append(p.waiters, w)
	p.balanceLocked()
	p.mu.Unlock()

	select {
	case a := <-w.ch:
		return a
	case <-ctx.Done():
	}
	p.mu.Lock()
	for i, x := range p.waiters {
		if x == w {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			p.mu.Unlock()
			return acquired{err: ctx.Err()}
		}
	}
	p.mu.Unlock()
	// Already served: give the instance back.
	if a := <-w.ch; a.inst != nil {
		p.ready(a.inst)
	}
	return acquired{err: ctx.Err()}
}

// balanceLocked starts instances for waiters that no starting or finishing
// instance will serve.
func (p *pool) balanceLocked() {
	if p.closed {
		return
	}
	need := len(p.waiters) - p.starting - p.finishing
	for ; need > 0 && p.total < p.max; need-- {
		p.seq++
		inst := &instance{
			pool:     p,
			spec:     p.spec,
			id:       p.seq,
			state:    stStarting,
			invokeCh: make(chan *invocation, 1),
			done:     make(chan struct{}),
		}
		p.all[inst] = struct{}{}
		p.total++
		p.starting++
		inst.spec.code.acquire()
		p.srv.wg.Add(1)
		go inst.run()
	}
}

// popWaiterLocked removes and returns the longest waiting waiter, or nil.
func (p *pool) popWaiterLocked() *waiter {
	if len(p.waiters) == 0 {
		return nil
	}
	w := p.waiters[0]
	copy(p.waiters, p.waiters[1:])
	p.waiters[len(p.waiters)-1] = nil
	p.waiters = p.waiters[:len(p.waiters)-1]
	return w
}

// ready is called when inst can take an invocation.
func (p *pool) ready(inst *instance) {
	p.mu.Lock()
	switch inst.state {
	case stStarting:
		p.starting--
	case stFinishing:
		p.finishing--
	case stIdle, stDead:
		p.mu.Unlock()
		return
	}
	if p.closed || inst.spec != p.spec {
		inst.state = stBusy // retiring; counted in total until it dies
		p.balanceLocked()
		p.mu.Unlock()
		inst.kill("retired after a configuration change")
		return
	}
	if w := p.popWaiterLocked(); w != nil {
		inst.state = stBusy
		w.ch <- acquired{inst: inst}
	} else {
		inst.state = stIdle
		p.idle = append(p.idle, inst)
	}
	p.mu.Unlock()
}

// finished is called when inst answered its invocation but has not yet asked
// for the next one.
func (p *pool) finished(inst *instance) {
	p.mu.Lock()
	if inst.state == stBusy {
		inst.state = stFinishing
		p.finishing++
	}
	p.mu.Unlock()
}

// died is called once inst's process is gone. fail, if not nil, is reported
// to a waiting invocation when the instance never became ready.
func (p *pool) died(inst *instance, fail *initFailure) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.all, inst)
	p.total--
	switch inst.state {
	case stStarting:
		p.starting--
		if fail != nil {
			if w := p.popWaiterLocked(); w != nil {
				w.ch <- acquired{fail: fail}
			}
		}
	case stIdle:
		for i, x := range p.idle {
			if x == inst {
				p.idle = append(p.idle[:i], p.idle[i+1:]...)
				break
			}
		}
	case stFinishing:
		p.finishing--
	}
	inst.state = stDead
	p.balanceLocked()
}

// close fails the waiters, kills every instance and waits until they are
// reaped.
func (p *pool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	waiters := p.waiters
	p.waiters = nil
	insts := make([]*instance, 0, len(p.all))
	for inst := range p.all {
		insts = append(insts, inst)
	}
	code := p.spec.code
	p.mu.Unlock()

	for _, w := range waiters {
		w.ch <- acquired{err: errPoolClosed}
	}
	for _, inst := range insts {
		inst.kill("function stopped")
	}
	for _, inst := range insts {
		<-inst.done
	}
	code.release()
	_ = p.logFile.Close()
}

// pids returns the PIDs of the live instances.
func (p *pool) pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for inst := range p.all {
		if pid := int(inst.pid.Load()); pid > 0 {
			out = append(out, pid)
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// instance

// instance is one running function process (an execution environment).
type instance struct {
	pool  *pool
	spec  *spec
	id    int
	state instState // guarded by pool.mu

	cmd  *exec.Cmd
	pid  atomic.Int32
	done chan struct{} // closed when the process is reaped and cleaned up

	mu         sync.Mutex
	current    *invocation
	started    bool
	killed     bool
	killReason string
	exited     bool
	initErr    []byte // body posted to /runtime/init/error

	// provided.* runtimes: the instance's own Runtime API server.
	invokeCh    chan *invocation // buffered 1
	rtLn        net.Listener
	rtSrv       *http.Server
	nextPending atomic.Bool

	// go1.x: net/rpc client of the function's RPC server.
	rpcAddr string
	rpc     *rpc.Client
}

// run starts the process, waits for it to exit and cleans up. It owns one
// count of srv.wg.
func (inst *instance) run() {
	defer inst.pool.srv.wg.Done()
	p := inst.pool
	fail, err := inst.start()
	if err != nil {
		p.logf("INIT_ERROR instance %d: %v", inst.id, err)
		inst.finish(fail)
		return
	}
	p.logf("INIT_START instance %d pid %d runtime %s", inst.id, inst.cmd.Process.Pid, inst.spec.runtime)

	initTimer := time.AfterFunc(p.srv.opts.InitTimeout, func() {
		p.mu.Lock()
		starting := inst.state == stStarting
		p.mu.Unlock()
		if starting {
			inst.kill("init timeout")
		}
	})
	if inst.spec.runtime == runtimeGo1x {
		go inst.connectRPC()
	}
	waitErr := inst.cmd.Wait()
	initTimer.Stop()

	inst.mu.Lock()
	inst.exited = true
	cur := inst.current
	inst.current = nil
	reason := inst.killReason
	initErr := inst.initErr
	inst.mu.Unlock()

	if inst.rtSrv != nil {
		_ = inst.rtSrv.Close()
	}
	if inst.rpc != nil {
		_ = inst.rpc.Close()
	}
	if reason != "" {
		p.logf("END instance %d pid %d stopped (%s)", inst.id, inst.cmd.Process.Pid, reason)
	} else {
		p.logf("END instance %d pid %d exited: %v", inst.id, inst.cmd.Process.Pid, exitText(waitErr))
	}
	if cur != nil {
		cur.complete(exitResult(cur.id, waitErr))
	}

	switch {
	case reason == "init timeout":
		fail = &initFailure{errType: "Sandbox.Timedout",
			msg: fmt.Sprintf("Init timed out after %.2f seconds", p.srv.opts.InitTimeout.Seconds())}
	case len(initErr) > 0:
		fail = &initFailure{payload: initErr}
	case reason != "":
		fail = nil // stopped by us, not an init failure
	default:
		fail = &initFailure{errType: "Runtime.ExitError", msg: "Runtime exited with error: " + exitText(waitErr)}
		if waitErr == nil {
			fail.msg = "Runtime exited without providing a reason"
		}
	}
	inst.finish(fail)
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// finish reports the instance dead and releases its resources.
func (inst *instance) finish(fail *initFailure) {
	close(inst.done)
	inst.pool.died(inst, fail)
	inst.spec.code.release()
}

// start launches the process. On failure it returns what to report.
func (inst *instance) start() (*initFailure, error) {
	sp := inst.spec
	p := inst.pool
	env := make([]string, len(sp.env), len(sp.env)+2)
	copy(env, sp.env)
	env = append(env, "AWS_LAMBDA_LOG_STREAM_NAME="+time.Now().UTC().Format("2006/01/02")+"/[$LATEST]"+strconv.Itoa(inst.id))

	var entry string
	switch sp.runtime {
	case runtimeGo1x:
		if sp.handler == "" || !filepath.IsLocal(sp.handler) {
			return &initFailure{errType: "Runtime.InvalidEntrypoint", msg: fmt.Sprintf("invalid handler %q", sp.handler)},
				fmt.Errorf("invalid handler %q", sp.handler)
		}
		entry = filepath.Join(sp.code.path, sp.handler)
		port, err := freePort()
		if err != nil {
			return &initFailure{errType: "Runtime.Unknown", msg: err.Error()}, err
		}
		env = append(env, "_LAMBDA_SERVER_PORT="+strconv.Itoa(port))
		inst.rpcAddr = net.JoinHostPort("localhost", strconv.Itoa(port))
	default:
		entry = filepath.Join(sp.code.path, "bootstrap")
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return &initFailure{errType: "Runtime.Unknown", msg: err.Error()}, fmt.Errorf("runtime API listener: %w", err)
		}
		inst.rtLn = ln
		inst.rtSrv = &http.Server{
			Handler:           inst.runtimeAPIHandler(),
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          nil,
		}
		env = append(env, "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
		go func() { _ = inst.rtSrv.Serve(ln) }()
	}

	if fi, err := os.Stat(entry); err != nil || fi.IsDir() {
		msg := fmt.Sprintf("Couldn't find valid bootstrap(s): [%s]", entry)
		if sp.runtime == runtimeGo1x {
			msg = fmt.Sprintf("fork/exec %s: no such file or directory", entry)
		}
		inst.closeRuntimeAPI()
		return &initFailure{errType: "Runtime.InvalidEntrypoint", msg: msg}, errors.New(msg)
	} else if fi.Mode().Perm()&0o111 == 0 {
		// Zips made on systems without Unix modes lose the execute bit.
		_ = os.Chmod(entry, fi.Mode().Perm()|0o500)
	}

	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.killed {
		inst.closeRuntimeAPI()
		return nil, errors.New("stopped before start")
	}
	var cmd *exec.Cmd
	for attempt := 0; ; attempt++ {
		cmd = exec.Command(entry)
		cmd.Dir = sp.code.path
		cmd.Env = env
		cmd.Stdout = p.logFile
		cmd.Stderr = p.logFile
		cmd.SysProcAttr = sysProcAttr()
		err := cmd.Start()
		if err == nil {
			break
		}
		if isTextFileBusy(err) && attempt < 50 {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		inst.closeRuntimeAPI()
		return &initFailure{errType: "Runtime.InvalidEntrypoint", msg: err.Error()}, fmt.Errorf("start %s: %w", entry, err)
	}
	inst.cmd = cmd
	inst.started = true
	inst.pid.Store(int32(cmd.Process.Pid))
	p.srv.recordPID(cmd.Process.Pid)
	return nil, nil
}

func (inst *instance) closeRuntimeAPI() {
	if inst.rtSrv != nil {
		_ = inst.rtSrv.Close()
	} else if inst.rtLn != nil {
		_ = inst.rtLn.Close()
	}
}

// kill stops the instance's process group. Safe to call at any time.
func (inst *instance) kill(reason string) {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.killed || inst.exited {
		return
	}
	inst.killed = true
	inst.killReason = reason
	if inst.started {
		killProcessGroup(inst.cmd.Process)
	}
}

// invoke hands inv to the instance and waits for its result. ok is false when
// the instance was already dead (nothing was run).
func (inst *instance) invoke(ctx context.Context, inv *invocation) (invokeResult, bool) {
	timeout := inst.spec.timeout
	inst.mu.Lock()
	if inst.exited || inst.killed {
		inst.mu.Unlock()
		return invokeResult{}, false
	}
	inst.current = inv
	inv.deadline = time.Now().Add(timeout)
	inv.timer.Store(time.AfterFunc(timeout, func() { inst.timedOut(inv, timeout) }))
	inst.mu.Unlock()

	if inst.spec.runtime == runtimeGo1x {
		return inst.invokeRPC(inv), true
	}
	inst.invokeCh <- inv // never blocks: the channel is empty while the instance is busy
	select {
	case r := <-inv.res:
		return r, true
	case <-ctx.Done():
		// The caller left; the instance finishes (or times out) on its own.
		return invokeResult{}, true
	}
}

func (inst *instance) timedOut(inv *invocation, d time.Duration) {
	if !inv.complete(timeoutResult(inv.id, d)) {
		return
	}
	inst.mu.Lock()
	if inst.current == inv {
		inst.current = nil
	}
	inst.mu.Unlock()
	inst.pool.logf("%s Task timed out after %.2f seconds", inv.id, d.Seconds())
	inst.kill("timeout")
}

// takeCurrent clears and returns the current invocation if its id is id.
func (inst *instance) takeCurrent(id string) *invocation {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	cur := inst.current
	if cur == nil || cur.id != id {
		return nil
	}
	inst.current = nil
	return cur
}

// ---------------------------------------------------------------------------
// go1.x: net/rpc

// connectRPC dials the function's RPC server until it answers Function.Ping,
// then makes the instance ready.
func (inst *instance) connectRPC() {
	const step = 2 * time.Millisecond
	for {
		select {
		case <-inst.done:
			return
		default:
		}
		inst.mu.Lock()
		stop := inst.killed || inst.exited
		inst.mu.Unlock()
		if stop {
			return
		}
		conn, err := net.DialTimeout("tcp", inst.rpcAddr, time.Second)
		if err == nil {
			c := rpc.NewClient(conn)
			if err = c.Call("Function.Ping", &messages.PingRequest{}, &messages.PingResponse{}); err == nil {
				inst.mu.Lock()
				if inst.exited || inst.killed {
					inst.mu.Unlock()
					_ = c.Close()
					return
				}
				inst.rpc = c
				inst.mu.Unlock()
				inst.pool.ready(inst)
				return
			}
			_ = c.Close()
		}
		time.Sleep(step)
	}
}

func (inst *instance) invokeRPC(inv *invocation) invokeResult {
	req := &messages.InvokeRequest{
		Payload:            inv.payload,
		RequestId:          inv.id,
		InvokedFunctionArn: inst.spec.arn,
		Deadline: messages.InvokeRequest_Timestamp{
			Seconds: inv.deadline.Unix(),
			Nanos:   int64(inv.deadline.Nanosecond()),
		},
	}
	if inv.clientContext != "" {
		req.ClientContext = []byte(inv.clientContext)
	}
	var resp messages.InvokeResponse
	call := inst.rpc.Go("Function.Invoke", req, &resp, make(chan *rpc.Call, 1))
	select {
	case r := <-inv.res: // timed out, or the process exited
		return r
	case <-call.Done:
	}
	if call.Error != nil {
		// The connection broke: the process is exiting. Its exit status
		// completes the invocation; make sure it does exit.
		select {
		case r := <-inv.res:
			return r
		case <-time.After(time.Second):
			inst.kill("rpc connection lost")
			return <-inv.res
		}
	}
	var res invokeResult
	if resp.Error != nil {
		b, _ := json.Marshal(resp.Error)
		res = invokeResult{payload: b, functionError: "Unhandled"}
	} else {
		res = invokeResult{payload: resp.Payload}
	}
	if inst.takeCurrent(inv.id) == nil || !inv.complete(res) {
		return <-inv.res
	}
	if resp.Error != nil && resp.Error.ShouldExit {
		inst.kill("runtime requested exit after a panic")
	} else {
		inst.pool.ready(inst)
	}
	return res
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return port, nil
}

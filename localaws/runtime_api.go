package localaws

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// The Lambda Runtime API (2018-06-01), served to each provided.* instance on
// its own loopback listener (AWS_LAMBDA_RUNTIME_API).
const (
	runtimeAPIPrefix     = "/2018-06-01/runtime/"
	hdrRequestID         = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadlineMS        = "Lambda-Runtime-Deadline-Ms"
	hdrInvokedARN        = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID           = "Lambda-Runtime-Trace-Id"
	hdrClientContext     = "Lambda-Runtime-Client-Context"
	hdrFunctionErrorType = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody     = "Lambda-Runtime-Function-Error-Body"
	maxErrorPayload      = 1 << 20
)

func (inst *instance) runtimeAPIHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, runtimeAPIPrefix)
		if !ok {
			writeRuntimeError(w, http.StatusNotFound, "InvalidRequest", "unknown path "+r.URL.Path)
			return
		}
		switch {
		case rest == "invocation/next" && r.Method == http.MethodGet:
			inst.handleNext(w, r)
		case rest == "init/error" && r.Method == http.MethodPost:
			inst.handleInitError(w, r)
		case strings.HasPrefix(rest, "invocation/") && r.Method == http.MethodPost:
			id, action, ok := strings.Cut(strings.TrimPrefix(rest, "invocation/"), "/")
			switch {
			case ok && action == "response":
				inst.handleResponse(w, r, id)
			case ok && action == "error":
				inst.handleError(w, r, id)
			default:
				writeRuntimeError(w, http.StatusNotFound, "InvalidRequest", "unknown path "+r.URL.Path)
			}
		default:
			writeRuntimeError(w, http.StatusNotFound, "InvalidRequest", "unknown path "+r.URL.Path)
		}
	})
}

func writeRuntimeError(w http.ResponseWriter, status int, errType, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(functionErrorPayload(errType, msg))
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

// handleNext long-polls for the next invocation. The instance counts as ready
// while this request is pending.
func (inst *instance) handleNext(w http.ResponseWriter, r *http.Request) {
	if !inst.nextPending.CompareAndSwap(false, true) {
		writeRuntimeError(w, http.StatusForbidden, "InvalidStateTransition", "a next invocation request is already pending")
		return
	}
	var inv *invocation
	select {
	case inv = <-inst.invokeCh:
		// Dispatched while an earlier next request was lost.
	default:
		inst.mu.Lock()
		cur := inst.current
		inst.mu.Unlock()
		if cur != nil && inst.takeCurrent(cur.id) != nil {
			cur.complete(unhandled("Runtime.Unknown",
				"RequestId: "+cur.id+" Error: the runtime asked for the next invocation without answering this one"))
			inst.pool.finished(inst)
		}
		inst.pool.ready(inst)
		select {
		case inv = <-inst.invokeCh:
		case <-r.Context().Done():
			inst.nextPending.Store(false)
			return
		case <-inst.done:
			inst.nextPending.Store(false)
			return
		}
	}
	inst.nextPending.Store(false)

	h := w.Header()
	h[hdrRequestID] = []string{inv.id}
	h[hdrDeadlineMS] = []string{strconv.FormatInt(inv.deadline.UnixMilli(), 10)}
	h[hdrInvokedARN] = []string{inst.spec.arn}
	h[hdrTraceID] = []string{"Root=1-" + inv.id[:8] + "-" + strings.ReplaceAll(inv.id[9:], "-", "")[:24] + ";Parent=0000000000000000;Sampled=0"}
	if inv.clientContext != "" {
		h[hdrClientContext] = []string{inv.clientContext}
	}
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(inv.payload))}
	_, _ = w.Write(inv.payload)
}

// handleResponse receives the result of invocation id.
func (inst *instance) handleResponse(w http.ResponseWriter, r *http.Request, id string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSyncPayload+1))
	if err != nil {
		// The process is likely dying; its exit completes the invocation.
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", "read response: "+err.Error())
		return
	}
	inv := inst.takeCurrent(id)
	if inv == nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	var res invokeResult
	tooLarge := false
	switch {
	case r.Trailer.Get(hdrFunctionErrorType) != "":
		// aws-lambda-go reports errors met while streaming a response in trailers.
		payload, derr := base64.StdEncoding.DecodeString(r.Trailer.Get(trailerErrorBody))
		if derr != nil || !json.Valid(payload) {
			payload = functionErrorPayload(r.Trailer.Get(hdrFunctionErrorType), "the function failed while streaming its response")
		}
		res = invokeResult{payload: payload, functionError: "Unhandled"}
	case len(body) > maxSyncPayload:
		tooLarge = true
		res = unhandled("Function.ResponseSizeTooLarge",
			"Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(maxSyncPayload)+" bytes).")
	default:
		res = invokeResult{payload: body}
	}
	inv.complete(res)
	inst.pool.finished(inst)
	if tooLarge {
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response payload too large")
		return
	}
	writeAccepted(w)
}

// handleError receives the error of invocation id.
func (inst *instance) handleError(w http.ResponseWriter, r *http.Request, id string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxErrorPayload))
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", "read error: "+err.Error())
		return
	}
	inv := inst.takeCurrent(id)
	if inv == nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	inv.complete(invokeResult{payload: errorPayload(r.Header.Get(hdrFunctionErrorType), body), functionError: "Unhandled"})
	inst.pool.finished(inst)
	writeAccepted(w)
}

// handleInitError records an initialization failure; the instance is then
// stopped and the failure reported to the invocation waiting for it.
func (inst *instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxErrorPayload))
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", "read error: "+err.Error())
		return
	}
	p := inst.pool
	p.mu.Lock()
	starting := inst.state == stStarting
	p.mu.Unlock()
	if !starting {
		writeRuntimeError(w, http.StatusForbidden, "InvalidStateTransition", "the runtime is already initialized")
		return
	}
	payload := errorPayload(r.Header.Get(hdrFunctionErrorType), body)
	inst.mu.Lock()
	inst.initErr = payload
	inst.mu.Unlock()
	p.logf("INIT_ERROR instance %d: %s", inst.id, payload)
	writeAccepted(w)
	inst.kill("init error reported")
}

// errorPayload returns the runtime's error body, or wraps it when it is not a
// JSON object.
func errorPayload(errType string, body []byte) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) == nil {
		return body
	}
	if errType == "" {
		errType = "Runtime.Unknown"
	}
	return functionErrorPayload(errType, string(body))
}

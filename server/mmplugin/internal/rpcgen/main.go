// Command rpcgen writes zz_rpc_gen.go: the wire structs, RPC clients and RPC
// dispatchers for the methods of the API interface (api.go) and the hooks of
// hookTable (hooks.go). Run it with `go generate ./server/mmplugin`.
//
// The wire rule it encodes is the server's: a method X travels as "Plugin.X";
// parameters become fields A, B, C… of Z_XArgs and results fields A, B… of
// Z_XReturns. Results declared `error` are interface fields and are converted
// to a registered error type before they are sent.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"log"
	"os"
	"path/filepath"
	"strings"
)

type field struct{ name, typ string }

type method struct {
	name    string
	params  []field
	results []field
	manual  bool
}

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	api, err := readInterface(filepath.Join(dir, "api.go"), "API")
	if err != nil {
		log.Fatal(err)
	}
	hooks, err := readInterface(filepath.Join(dir, "hooks.go"), "hookTable")
	if err != nil {
		log.Fatal(err)
	}
	var b bytes.Buffer
	writeFile(&b, api, hooks)
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatalf("format generated code: %v\n%s", err, b.String())
	}
	if err := os.WriteFile(filepath.Join(dir, "zz_rpc_gen.go"), src, 0o644); err != nil {
		log.Fatal(err)
	}
}

func readInterface(path, name string) ([]method, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	var out []method
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != name {
			return true
		}
		found = true
		for _, m := range ts.Type.(*ast.InterfaceType).Methods.List {
			ft := m.Type.(*ast.FuncType)
			out = append(out, method{
				name:    m.Names[0].Name,
				params:  fieldsOf(ft.Params),
				results: fieldsOf(ft.Results),
				manual:  m.Doc != nil && strings.Contains(m.Doc.Text(), "rpc:manual"),
			})
		}
		return false
	})
	if !found {
		return nil, fmt.Errorf("%s: interface %s not found", path, name)
	}
	return out, nil
}

func fieldsOf(fl *ast.FieldList) []field {
	if fl == nil {
		return nil
	}
	var out []field
	for _, f := range fl.List {
		typ := types.ExprString(f.Type)
		if strings.HasPrefix(typ, "...") {
			typ = "[]" + typ[3:]
		}
		if len(f.Names) == 0 {
			out = append(out, field{typ: typ})
			continue
		}
		for _, n := range f.Names {
			out = append(out, field{name: n.Name, typ: typ})
		}
	}
	return out
}

func letter(i int) string { return string(rune('A' + i)) }

func structDecl(b *bytes.Buffer, name string, fs []field) {
	if len(fs) == 0 {
		fmt.Fprintf(b, "type %s struct{}\n\n", name)
		return
	}
	fmt.Fprintf(b, "type %s struct {\n", name)
	for i, f := range fs {
		fmt.Fprintf(b, "\t%s %s\n", letter(i), f.typ)
	}
	b.WriteString("}\n\n")
}

// paramName is the declared name, or pN for unnamed parameters.
func paramName(fs []field, i int) string {
	if fs[i].name != "" {
		return fs[i].name
	}
	return fmt.Sprintf("p%d", i)
}

func paramList(fs []field) string {
	var parts []string
	for i, f := range fs {
		parts = append(parts, fmt.Sprintf("%s %s", paramName(fs, i), f.typ))
	}
	return strings.Join(parts, ", ")
}

func resultList(fs []field) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.typ)
	}
	if len(parts) > 1 {
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return strings.Join(parts, "")
}

func argsLiteral(name string, fs []field) string {
	var parts []string
	for i := range fs {
		parts = append(parts, fmt.Sprintf("%s: %s", letter(i), paramName(fs, i)))
	}
	return fmt.Sprintf("&Z_%sArgs{%s}", name, strings.Join(parts, ", "))
}

// returnStmt returns the fields of ret, turning error interfaces into plain errors.
func returnStmt(fs []field) string {
	if len(fs) == 0 {
		return ""
	}
	var parts []string
	for i := range fs {
		parts = append(parts, "ret."+letter(i))
	}
	return "return " + strings.Join(parts, ", ")
}

// failureReturn is what a client returns when the RPC itself failed: the zero
// values, except that an error result carries the failure.
func failureReturn(fs []field) string {
	if len(fs) == 0 {
		return "return"
	}
	var parts []string
	for i, f := range fs {
		switch f.typ {
		case "*model.AppError":
			parts = append(parts, "rpcAppError(method, err)")
		case "error":
			parts = append(parts, "err")
		default:
			parts = append(parts, "ret."+letter(i))
		}
	}
	return "return " + strings.Join(parts, ", ")
}

func hasErrorResult(fs []field) bool {
	for _, f := range fs {
		if f.typ == "*model.AppError" || f.typ == "error" {
			return true
		}
	}
	return false
}

func callExpr(recv, name string, ps []field, argsVar string) string {
	var parts []string
	for i := range ps {
		parts = append(parts, argsVar+"."+letter(i))
	}
	return fmt.Sprintf("%s.%s(%s)", recv, name, strings.Join(parts, ", "))
}

func assignResults(b *bytes.Buffer, call string, rs []field) {
	if len(rs) == 0 {
		fmt.Fprintf(b, "\t%s\n", call)
		return
	}
	var lhs []string
	for i, r := range rs {
		if r.typ == "error" {
			fmt.Fprintf(b, "\tvar r%s error\n", letter(i))
			lhs = append(lhs, "r"+letter(i))
		} else {
			lhs = append(lhs, "ret."+letter(i))
		}
	}
	fmt.Fprintf(b, "\t%s = %s\n", strings.Join(lhs, ", "), call)
	for i, r := range rs {
		if r.typ == "error" {
			fmt.Fprintf(b, "\tret.%s = encodableError(r%s)\n", letter(i), letter(i))
		}
	}
}

func writeFile(b *bytes.Buffer, api, hooks []method) {
	b.WriteString(`// Code generated by internal/rpcgen from api.go and hooks.go; DO NOT EDIT.

package mmplugin

import (
	"net/http"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

var _ http.Handler = nil // api.go may mention net/http types

`)
	b.WriteString("// ---- API wire structs ----\n\n")
	for _, m := range api {
		if m.manual {
			continue
		}
		structDecl(b, "Z_"+m.name+"Args", m.params)
		structDecl(b, "Z_"+m.name+"Returns", m.results)
	}

	b.WriteString("// ---- API client (plugin side) ----\n\n")
	for _, m := range api {
		if m.manual {
			continue
		}
		fmt.Fprintf(b, "// %s calls Plugin.%s on the server.\n", m.name, m.name)
		fmt.Fprintf(b, "func (cl *apiRPCClient) %s(%s) %s {\n", m.name, paramList(m.params), resultList(m.results))
		fmt.Fprintf(b, "\tconst method = \"Plugin.%s\"\n", m.name)
		fmt.Fprintf(b, "\tvar ret Z_%sReturns\n", m.name)
		fmt.Fprintf(b, "\tif err := cl.call(method, %s, &ret); err != nil {\n", argsLiteral(m.name, m.params))
		if !hasErrorResult(m.results) {
			b.WriteString("\t\tcl.logRPCFailure(method, err)\n")
		}
		fmt.Fprintf(b, "\t\t%s\n\t}\n", failureReturn(m.results))
		if s := returnStmt(m.results); s != "" {
			fmt.Fprintf(b, "\t%s\n", s)
		}
		b.WriteString("}\n\n")
	}

	b.WriteString("// ---- API dispatcher (server side) ----\n\n")
	for _, m := range api {
		if m.manual {
			continue
		}
		fmt.Fprintf(b, "// %s serves Plugin.%s.\n", m.name, m.name)
		fmt.Fprintf(b, "func (s *APIRPCServer) %s(args *Z_%sArgs, ret *Z_%sReturns) error {\n", m.name, m.name, m.name)
		assignResults(b, callExpr("s.impl", m.name, m.params, "args"), m.results)
		b.WriteString("\treturn nil\n}\n\n")
	}

	b.WriteString("// ---- hooks ----\n\n")
	for _, m := range hooks {
		fmt.Fprintf(b, "// %sHook is implemented by plugins that want the %s hook.\n", m.name, m.name)
		fmt.Fprintf(b, "type %sHook interface {\n\t%s(%s) %s\n}\n\n", m.name, m.name, paramList(m.params), resultList(m.results))
		structDecl(b, "Z_"+m.name+"Args", m.params)
		structDecl(b, "Z_"+m.name+"Returns", m.results)
	}

	b.WriteString("// optionalHooks names the generated hooks impl implements.\n")
	b.WriteString("func optionalHooks(impl any) []string {\n\tvar names []string\n")
	for _, m := range hooks {
		fmt.Fprintf(b, "\tif _, ok := impl.(%sHook); ok {\n\t\tnames = append(names, %q)\n\t}\n", m.name, m.name)
	}
	b.WriteString("\treturn names\n}\n\n")

	for _, m := range hooks {
		fmt.Fprintf(b, "// %s serves Plugin.%s by calling the plugin's hook.\n", m.name, m.name)
		fmt.Fprintf(b, "func (s *hooksRPCServer) %s(args *Z_%sArgs, ret *Z_%sReturns) error {\n", m.name, m.name, m.name)
		fmt.Fprintf(b, "\th, ok := s.impl.(%sHook)\n\tif !ok {\n\t\treturn errHookNotImplemented(%q)\n\t}\n", m.name, m.name)
		fmt.Fprintf(b, "\tdefer s.recoverHook(%q, %s)\n", m.name, recoverTarget(m.results))
		assignResults(b, callExpr("h", m.name, m.params, "args"), m.results)
		b.WriteString("\treturn nil\n}\n\n")
	}

	for _, m := range hooks {
		fmt.Fprintf(b, "// %s calls the plugin's %s hook; hooks the plugin did not list are not called.\n", m.name, m.name)
		fmt.Fprintf(b, "func (cl *HooksRPCClient) %s(%s) %s {\n", m.name, paramList(m.params), resultList(m.results))
		fmt.Fprintf(b, "\tconst method = \"Plugin.%s\"\n", m.name)
		fmt.Fprintf(b, "\tvar ret Z_%sReturns\n", m.name)
		fmt.Fprintf(b, "\tif !cl.implements(%q) {\n\t\t%s\n\t}\n", m.name, zeroReturn(m.results))
		fmt.Fprintf(b, "\tif err := cl.call(method, %s, &ret); err != nil {\n", argsLiteral(m.name, m.params))
		fmt.Fprintf(b, "\t\tcl.logRPCFailure(method, err)\n\t\t%s\n\t}\n", zeroReturn(m.results))
		if s := returnStmt(m.results); s != "" {
			fmt.Fprintf(b, "\t%s\n", s)
		}
		b.WriteString("}\n\n")
	}
}

// recoverTarget points the panic handler at the hook's error result, if any.
func recoverTarget(rs []field) string {
	for i, r := range rs {
		switch r.typ {
		case "error", "*model.AppError":
			return "&ret." + letter(i)
		}
	}
	return "nil"
}

func zeroReturn(fs []field) string {
	if len(fs) == 0 {
		return "return"
	}
	var parts []string
	for i := range fs {
		parts = append(parts, "ret."+letter(i))
	}
	return "return " + strings.Join(parts, ", ")
}

package checks_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestEveryServiceMethodHasAnExample mirrors the root package's rule here: every exported method
// of Client and of the *Service types has an Example<Type>_<Method>.
func TestEveryServiceMethodHasAnExample(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	methods, examples := map[string]bool{}, map[string]bool{}
	for _, pkg := range pkgs {
		for name, f := range pkg.Files {
			for _, decl := range f.Decls {
				fd, ok := decl.(*ast.FuncDecl)
				if !ok {
					continue
				}
				if strings.HasSuffix(name, "_test.go") {
					if strings.HasPrefix(fd.Name.Name, "Example") {
						examples[strings.TrimPrefix(fd.Name.Name, "Example")] = true
					}
					continue
				}
				if fd.Recv == nil || !fd.Name.IsExported() {
					continue
				}
				typ := fd.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				id, ok := typ.(*ast.Ident)
				if ok && (id.Name == "Client" || strings.HasSuffix(id.Name, "Service")) {
					methods[id.Name+"_"+fd.Name.Name] = true
				}
			}
		}
	}
	if len(methods) < 20 {
		t.Fatalf("found only %d service methods: the scan is broken", len(methods))
	}
	for m := range methods {
		if !examples[m] {
			t.Errorf("service method without an example: Example%s", m)
		}
	}
}

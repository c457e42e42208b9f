package kyc_test

import (
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryExportedIdentifierHasADocComment parses every package of the module (tests excluded)
// and lists exported declarations without a doc comment: types, functions, methods on exported
// types, constants and variables (a comment on their group, or a trailing comment, counts).
// Struct fields are documented by their struct.
func TestEveryExportedIdentifierHasADocComment(t *testing.T) {
	fset := token.NewFileSet()
	var missing []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil // commands document themselves in their help text
		}
		report := func(pos token.Pos, what string) {
			missing = append(missing, fset.Position(pos).String()+": "+what)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() || d.Doc != nil {
					continue
				}
				if d.Recv != nil && !exportedReceiver(d.Recv) {
					continue
				}
				report(d.Pos(), "func "+d.Name.Name)
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						if s.Doc == nil && d.Doc == nil {
							report(s.Pos(), "type "+s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && s.Doc == nil && s.Comment == nil && d.Doc == nil {
								report(n.Pos(), "value "+n.Name)
							}
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("exported identifiers without a doc comment:\n%s", strings.Join(missing, "\n"))
	}
}

func exportedReceiver(recv *ast.FieldList) bool {
	if len(recv.List) == 0 {
		return false
	}
	typ := recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if idx, ok := typ.(*ast.IndexExpr); ok {
		typ = idx.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}

// TestEveryServiceMethodHasAnExample looks for an Example<Type>_<Method> function for every
// exported method of the Client and of its services (the types named *Service).
func TestEveryServiceMethodHasAnExample(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]bool{}
	examples := map[string]bool{}
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
				if fd.Recv == nil || !fd.Name.IsExported() || !exportedReceiver(fd.Recv) {
					continue
				}
				recv := receiverName(fd.Recv)
				if recv == "Client" || strings.HasSuffix(recv, "Service") {
					methods[recv+"_"+fd.Name.Name] = true
				}
			}
		}
	}
	var missing []string
	for m := range methods {
		if !examples[m] {
			missing = append(missing, "Example"+m)
		}
	}
	if len(missing) > 0 {
		t.Errorf("service methods without an example:\n%s", strings.Join(missing, "\n"))
	}
}

func receiverName(recv *ast.FieldList) string {
	typ := recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// maxExportedTopLevel bounds the root package's surface (issue 11: about 47 calls should not
// need hundreds of names, at most 200): exported functions, types, constants and variables,
// methods aside. What only a part of the users needs lives in a package of its own: the element
// and face checks (checks), credential providers (credentials), and the bookkeeping of the
// WeChat bill, its sweeper, token store and reconciliation (billing).
const maxExportedTopLevel = 200

// TestExportedSurface counts the root package's exported top-level identifiers (tests excluded)
// and fails past maxExportedTopLevel, so that the surface grows only by a deliberate change here.
func TestExportedSurface(t *testing.T) {
	fset := token.NewFileSet()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					names = append(names, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							names = append(names, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								names = append(names, n.Name)
							}
						}
					}
				}
			}
		}
	}
	if len(names) < 100 {
		t.Fatalf("counted only %d exported identifiers: the count is broken", len(names))
	}
	if len(names) > maxExportedTopLevel {
		t.Errorf("%d exported top-level identifiers in the root package, more than %d", len(names), maxExportedTopLevel)
	}
	t.Logf("%d exported top-level identifiers", len(names))
}

// TestConstructorsListedUnderTheirType reads the root package as `go doc` does (go/doc with
// AllDecls, build constraints applied) and checks that New and NewCloud are listed under Client,
// and NewFileStore under FileStore: a reader of `go doc kyc.Client` finds how to make one. A
// top-level "var x error" anywhere in the package breaks this (go/doc then takes "error" for a
// type of the package and lists every (*T, error) function at package level).
func TestConstructorsListedUnderTheirType(t *testing.T) {
	bp, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = f
	}
	p := doc.New(&ast.Package{Name: bp.Name, Files: files}, bp.ImportPath, doc.AllDecls)
	under := map[string]map[string]bool{}
	for _, typ := range p.Types {
		under[typ.Name] = map[string]bool{}
		for _, f := range typ.Funcs {
			under[typ.Name][f.Name] = true
		}
	}
	for typ, fns := range map[string][]string{"Client": {"New", "NewCloud"}, "FileStore": {"NewFileStore"}} {
		for _, fn := range fns {
			if !under[typ][fn] {
				t.Errorf("go doc does not list %s under %s", fn, typ)
			}
		}
	}
}

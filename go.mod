module github.com/kycgo/kyc

go 1.26.0

require (
	github.com/stretchr/testify v1.12.1
	golang.org/x/sync v0.25.0
)

require (
	github.com/emmansun/gmsm v0.30.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)

package mmplugin

//go:generate go run ./internal/rpcgen .

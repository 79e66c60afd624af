package mmplugin

import (
	"net"

	goplugin "github.com/hashicorp/go-plugin"
)

type acceptResult struct {
	conn net.Conn
	err  error
}

// acceptAsync starts accepting stream id now (the peer may dial as soon as it
// hears of the id) and delivers the connection later.
func acceptAsync(b *goplugin.MuxBroker, id uint32) <-chan acceptResult {
	ch := make(chan acceptResult, 1)
	go func() {
		conn, err := b.Accept(id)
		ch <- acceptResult{conn, err}
	}()
	return ch
}

package main

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
)

// childEnv marks a test binary started as a bot process by a test: it runs
// the bot instead of the tests, so a test can kill -9 a real process.
const childEnv = "NEWSBOT_E2E_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		ctx, stop := signalContext()
		err := runBot(ctx, os.Getenv, stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "newsbot:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// botProcess is a bot in a process of its own.
type botProcess struct {
	cmd    *exec.Cmd
	logs   *syncBuffer
	done   chan error
	killed sync.Once
}

// startProcess starts the bot as a separate process with e.
func startProcess(t testing.TB, e env) *botProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	for k, v := range e {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &botProcess{cmd: cmd, logs: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start bot process: %v", err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() || testing.Verbose() {
			t.Logf("bot process %d log:\n%s", cmd.Process.Pid, p.logs.String())
		}
	})
	return p
}

// kill ends the process at once, as a crash or an OOM kill would.
func (p *botProcess) kill() {
	p.killed.Do(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
}

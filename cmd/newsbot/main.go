// Command newsbot runs the Discord news bot, and offers the subcommands that
// need no Discord at all: summarize, eval, preview and stories.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// stdio is where a subcommand reads and writes, so tests can capture it.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// subcommand runs one verb of the command line with its own flags.
type subcommand func(ctx context.Context, args []string, sio stdio) error

// subcommands maps the first argument to its handler; no argument runs the bot.
var subcommands = map[string]subcommand{}

func main() {
	ctx, stop := signalContext()
	err := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "newsbot:", err)
		os.Exit(1)
	}
}

// signalContext ends on SIGINT or SIGTERM: stop polling, hand back
// in-flight posts, close the store, exit 0.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func run(ctx context.Context, args []string, sio stdio) error {
	if len(args) > 0 {
		if cmd, ok := subcommands[args[0]]; ok {
			return cmd(ctx, args[1:], sio)
		}
		if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			fmt.Fprintln(sio.out, usage)
			return nil
		}
		return fmt.Errorf("unknown command %q\n\n%s", args[0], usage)
	}
	if err := loadDotEnv(); err != nil {
		return err
	}
	return runBot(ctx, os.Getenv, sio)
}

const usage = `usage:
  newsbot                      run the bot (reads .env; see README.md)
  newsbot summarize [flags]    summarize an article file, URL or stdin
  newsbot eval [flags]         score the summarizer against reference summaries
  newsbot preview [flags] URL  show how a feed's newest items would be posted
  newsbot stories [flags]      group articles into stories as the bot does (-jsonl), or score it (-eval)`

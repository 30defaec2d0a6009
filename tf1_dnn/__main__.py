"""`python -m tf1_dnn COMMAND ...`

Commands (each lives in its own module, imported only when used):
  lab       train the chapter's configurations side by side, write a report
  run       run an unchanged TF 1.x script on TensorFlow 2.21
  upgrade   print the minimal diff that makes a TF 1.x script import tf1_dnn
  ckpt      inspect / diff / rename / export TF 1.x checkpoints
  bench     benchmark the chapter's networks
  kernel    install the Jupyter kernel for unchanged TF 1.x notebooks
  notebook  execute an unchanged TF 1.x notebook, write it with its outputs
"""

import importlib
import sys

COMMANDS = {
    "lab": ("tf1_dnn.lab", "train the chapter's configurations, write a report"),
    "run": ("tf1_dnn.runner", "run an unchanged TF 1.x script"),
    "upgrade": ("tf1_dnn.upgrade", "show the diff that makes a script import tf1_dnn"),
    "ckpt": ("tf1_dnn.ckpt_cli", "inspect, diff, rename or export checkpoints"),
    "bench": ("tf1_dnn.bench", "benchmark the chapter's networks"),
    "kernel": ("tf1_dnn.kernel", "install the Jupyter kernel for TF 1.x notebooks"),
    "notebook": ("tf1_dnn.notebook", "run a TF 1.x notebook, write its outputs"),
}


def usage():
    lines = ["usage: python -m tf1_dnn COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<9} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"tf1_dnn: unknown command {command!r}\n\n{usage()}",
              file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command][0])
    return module.main(rest)


if __name__ == "__main__":
    sys.exit(main())

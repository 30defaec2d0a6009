"""`python -m tf1_dnn upgrade script.py [--out NEW.py]`: import tf1_dnn directly.

Prints the minimal unified diff that makes a TF 1.x script use tf1_dnn
instead of `tensorflow`; only import statements change:

    import tensorflow as tf             ->  from tf1_dnn import tf
    import tensorflow.compat.v1 as tf   ->  from tf1_dnn import tf
    import tensorflow                   ->  from tf1_dnn import tf as tensorflow
    from tensorflow.examples.tutorials.mnist import input_data
                  ->  from tf1_dnn.examples.tutorials.mnist import input_data
    from tensorflow.contrib.layers import fully_connected
                  ->  from tf1_dnn.contrib.layers import fully_connected

`tf.contrib...` attribute uses stay as they are: our `tf` has `contrib`.
With `--out NEW.py` the upgraded script is written there instead; the input
file, and any existing file, is never overwritten.

Both this command and `python -m tf1_dnn run` scan the script (`scan`, with
`ast`, without running it) and report, with file and line, every TF name
tf1_dnn cannot map: a `tf.contrib.X` module or function it does not provide
(checked at run time with `hasattr` on our namespace, so the report follows
what is installed), `tensorflow.python.*` (private) imports, any `tf.a.b`
that our namespace lacks.
"""

import argparse
import ast
import collections
import difflib
import importlib
import os
import sys
import types

__all__ = ["Finding", "scan", "upgrade_source", "main"]

Finding = collections.namedtuple("Finding", ["filename", "line", "name",
                                             "message"])

# Hints for well-known names tf1_dnn does not map.
_HINTS = {
    "tensorflow.contrib.rnn": "tf.contrib.rnn has tf.nn.rnn_cell's cells, "
                              "tf.contrib.rnn.OutputProjectionWrapper, "
                              "tf.contrib.rnn.LSTMBlockFusedCell and "
                              "tf.contrib.rnn.stack_bidirectional_dynamic_rnn;"
                              " write other cells as a "
                              "tf.nn.rnn_cell.RNNCell subclass",
    "tensorflow.contrib.seq2seq": "only tf.contrib.seq2seq.sequence_loss is "
                                  "provided",
    "tensorflow.contrib.cudnn_rnn": "use tf.contrib.rnn.LSTMBlockFusedCell "
                                    "(one fused kernel; CudnnLSTM's weight "
                                    "layout differs)",
    "tensorflow.contrib.slim": "rewrite with tf.contrib.layers / "
                               "tf.contrib.framework.arg_scope",
    "tensorflow.contrib.learn": "use tf1_dnn.datasets for MNIST",
    "tensorflow.python": "use the public tf.* API instead",
}


def _tf_namespace():
    from tf1_dnn import tf  # noqa: PLC0415 (switches to TF1 behaviour)
    return tf


def _resolve(dotted):
    """(object, None) or (None, the first missing dotted prefix)."""
    parts = dotted.split(".")
    if parts[0] != "tensorflow":
        return None, dotted
    if len(parts) > 1 and parts[1] == "python":
        return None, "tensorflow.python"
    obj = _tf_namespace()
    for i, part in enumerate(parts[1:], start=1):
        if not isinstance(obj, types.ModuleType):
            return obj, None      # a class or function: stop checking there
        try:
            obj = getattr(obj, part)
        except (AttributeError, ImportError):
            return None, ".".join(parts[:i + 1])
    return obj, None


def _message(missing, spelled):
    shown = spelled or missing
    hint = next((h for prefix, h in _HINTS.items()
                 if missing == prefix or missing.startswith(prefix + ".")),
                None)
    msg = f"{shown} is not provided by tf1_dnn"
    if missing.startswith("tensorflow.python"):
        msg = f"{shown}: tensorflow.python is TensorFlow's private API, " \
              "tf1_dnn cannot map it"
    return msg + (f" ({hint})" if hint else "")


class _Scanner(ast.NodeVisitor):
    def __init__(self, filename):
        self.filename = filename
        self.aliases = {}          # local name -> dotted tensorflow path
        self.findings = []
        self._seen = set()

    def _report(self, node, dotted, spelled=None):
        obj, missing = _resolve(dotted)
        if missing is None:
            return
        key = (node.lineno, missing)
        if key not in self._seen:
            self._seen.add(key)
            self.findings.append(Finding(self.filename, node.lineno, missing,
                                         _message(missing, spelled)))

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name.split(".")[0] != "tensorflow":
                continue
            self._report(node, alias.name, alias.name)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                self.aliases["tensorflow"] = "tensorflow"

    def visit_ImportFrom(self, node):
        module = node.module or ""
        if node.level or module.split(".")[0] != "tensorflow":
            return
        obj, missing = _resolve(module)
        if missing is not None:
            self._report(node, module, module)
            return
        for alias in node.names:
            if alias.name == "*":
                continue
            dotted = f"{module}.{alias.name}"
            self._report(node, dotted)
            self.aliases[alias.asname or alias.name] = dotted

    def visit_Attribute(self, node):
        chain, cur = [], node
        while isinstance(cur, ast.Attribute):
            chain.append(cur.attr)
            cur = cur.value
        if isinstance(cur, ast.Name) and cur.id in self.aliases:
            chain.reverse()
            dotted = ".".join([self.aliases[cur.id]] + chain)
            spelled = ".".join([cur.id] + chain)
            obj, missing = _resolve(dotted)
            if missing is not None:
                # Show the user's spelling of the missing prefix.
                extra = len(missing.split(".")) - len(
                    self.aliases[cur.id].split("."))
                spelled = ".".join([cur.id] + chain[:extra])
                self._report(node, dotted, spelled)
            return  # inner Attribute nodes are prefixes of this chain
        self.generic_visit(node)


def scan(source, filename="<script>"):
    """Findings (file, line, missing name, message) for a script's source.

    The script is parsed, never run. Resolving names imports `tf1_dnn.tf`
    (TF1 behaviour on), like running the script would.

    Raises:
      SyntaxError: the source does not parse (Python 2 print statements...).
    """
    tree = ast.parse(source, filename=filename)
    scanner = _Scanner(filename)
    scanner.visit(tree)
    return sorted(scanner.findings, key=lambda f: (f.line, f.name))


def _module_exists(name):
    try:
        importlib.import_module(name)
        return True
    except ImportError:
        return False


def _rewrite_import(node):
    """New statement text for an import node, or None to keep it."""
    if isinstance(node, ast.Import):
        kept, new = [], []
        for alias in node.names:
            name, asname = alias.name, alias.asname
            if name in ("tensorflow", "tensorflow.compat.v1"):
                local = asname or "tensorflow"
                new.append("from tf1_dnn import tf" if local == "tf"
                           else f"from tf1_dnn import tf as {local}")
            elif (name.startswith(("tensorflow.contrib.",
                                   "tensorflow.examples.")) and asname
                  and _module_exists("tf1_dnn" + name[len("tensorflow"):])):
                new.append(f"import tf1_dnn{name[len('tensorflow'):]} "
                           f"as {asname}")
            else:
                kept.append(ast.unparse(alias))
        if not new:
            return None
        if kept:
            new.insert(0, "import " + ", ".join(kept))
        return new
    module = node.module or ""
    if node.level:
        return None
    if module == "tensorflow.compat" and [a.name for a in node.names] == ["v1"]:
        local = node.names[0].asname or "v1"
        return ["from tf1_dnn import tf" if local == "tf"
                else f"from tf1_dnn import tf as {local}"]
    if not module.startswith(("tensorflow.contrib", "tensorflow.examples")):
        return None
    target = "tf1_dnn" + module[len("tensorflow"):]
    if not _module_exists(target):
        return None          # reported by scan()
    names = ", ".join(ast.unparse(a) for a in node.names)
    return [f"from {target} import {names}"]


def upgrade_source(source, filename="<script>"):
    """(new source, findings): imports rewritten, everything else untouched."""
    findings = scan(source, filename)
    tree = ast.parse(source, filename=filename)
    lines = source.splitlines(keepends=True)
    edits = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            new = _rewrite_import(node)
            if new is None:
                continue
            first = lines[node.lineno - 1]
            indent = first[:len(first) - len(first.lstrip())]
            last = lines[node.end_lineno - 1]
            tail = last[node.end_col_offset:]
            if tail.strip() and not tail.strip().startswith(("#", ";")):
                continue  # something else shares the line: leave it alone
            newline = "\n" if last.endswith("\n") else ""
            text = "".join(f"{indent}{stmt}\n" for stmt in new[:-1])
            text += f"{indent}{new[-1]}{tail.rstrip(chr(10))}{newline}"
            if node.col_offset != len(indent):
                continue  # `x = 1; import tensorflow`: leave it alone
            edits.append((node.lineno - 1, node.end_lineno, text))
    for start, end, text in sorted(edits, reverse=True):
        lines[start:end] = [text]
    return "".join(lines), findings


def format_findings(findings):
    return [f"{f.filename}:{f.line}: {f.message}" for f in findings]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tf1_dnn upgrade",
        description="Print the minimal diff that makes a TF 1.x script "
                    "import tf1_dnn instead of tensorflow.")
    parser.add_argument("script")
    parser.add_argument("--out", help="write the upgraded script there "
                        "(must not exist; never the input)")
    args = parser.parse_args(argv)
    try:
        with open(args.script, encoding="utf-8") as f:
            source = f.read()
    except OSError as e:
        print(f"tf1_dnn upgrade: cannot read {args.script}: {e}",
              file=sys.stderr)
        return 2
    try:
        new, findings = upgrade_source(source, args.script)
    except SyntaxError as e:
        print(f"tf1_dnn upgrade: {args.script}:{e.lineno}: cannot parse "
              f"({e.msg}); is it Python 3?", file=sys.stderr)
        return 2
    for line in format_findings(findings):
        print(f"tf1_dnn upgrade: {line}", file=sys.stderr)
    if args.out:
        if os.path.exists(args.out):
            same = os.path.samefile(args.out, args.script)
            print(f"tf1_dnn upgrade: {args.out} "
                  + ("is the input script" if same else "already exists")
                  + "; not overwritten. Choose another --out.",
                  file=sys.stderr)
            return 2
        with open(args.out, "x", encoding="utf-8") as f:
            f.write(new)
        print(f"tf1_dnn upgrade: wrote {args.out}", file=sys.stderr)
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        source.splitlines(keepends=True), new.splitlines(keepends=True),
        fromfile="a/" + args.script.lstrip("/"),
        tofile="b/" + args.script.lstrip("/")))
    return 0

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
    from tensorflow.nn.rnn_cell import LSTMCell
                  ->  from tf1_dnn.rnn_cell import LSTMCell

`tf.contrib...` attribute uses stay as they are: our `tf` has `contrib`.

numpy names removed since 1.24/2.0 are rewritten too (`rewrite_numpy`), for
the names `import numpy as np` (or `import numpy`) binds, and only when the
installed numpy lacks the old name and has the new one:

    np.float, np.int, np.object, np.str, np.unicode, np.complex -> the builtin
    np.float_ -> np.float64, np.complex_ -> np.complex128, np.infty/np.Inf
    -> np.inf, np.NINF -> (-np.inf), np.NaN -> np.nan, np.product ->
    np.prod, np.alltrue -> np.all, np.round_ -> np.round, ...
    np.asscalar(x) -> x.item(), np.in1d(a, b) -> np.isin(a, b).ravel(),
    np.msort(a) -> np.sort(a, axis=0)
    np.reshape(a, newshape=s) -> np.reshape(a, shape=s),
    np.histogram(..., normed=) -> np.histogram(..., density=)

Each rewrite is reported on stderr with its line (`--no-legacy-numpy`
leaves numpy names alone).
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
import io
import os
import sys
import tokenize
import types

from tf1_dnn.errors import ScriptError

__all__ = ["Finding", "scan", "upgrade_source", "rewrite_numpy", "main",
           "read_script"]

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
    "tensorflow.contrib.cudnn_rnn": "use tf.contrib.rnn.LSTMBlockFusedCell, "
                                    "one fused kernel; CudnnLSTM's weight "
                                    "layout differs",
    "tensorflow.contrib.slim.nets": "tf1_dnn's slim.nets has TF 1.15's "
                                    "vgg, alexnet, overfeat, inception, "
                                    "resnet_utils, resnet_v1, resnet_v2",
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
    if module in ("tensorflow.nn.rnn_cell",
                  "tensorflow.compat.v1.nn.rnn_cell"):
        names = ", ".join(ast.unparse(a) for a in node.names)
        return [f"from tf1_dnn.rnn_cell import {names}"]
    if not module.startswith(("tensorflow.contrib", "tensorflow.examples")):
        return None
    target = "tf1_dnn" + module[len("tensorflow"):]
    if not _module_exists(target):
        return None          # reported by scan()
    names = ", ".join(ast.unparse(a) for a in node.names)
    return [f"from {target} import {names}"]


# numpy: old attribute -> new spelling ("{np}" = the script's numpy name).
_NUMPY_NAMES = {
    "int": "int", "float": "float", "complex": "complex", "object": "object",
    "str": "str", "unicode": "str",
    "float_": "{np}.float64", "complex_": "{np}.complex128",
    "cfloat": "{np}.complex128", "singlecomplex": "{np}.complex64",
    "longfloat": "{np}.longdouble", "longcomplex": "{np}.clongdouble",
    "clongfloat": "{np}.clongdouble", "unicode_": "{np}.str_",
    "string_": "{np}.bytes_", "int0": "{np}.intp", "uint0": "{np}.uintp",
    "bool8": "{np}.bool_", "object0": "{np}.object_", "str0": "{np}.str_",
    "bytes0": "{np}.bytes_", "void0": "{np}.void",
    "infty": "{np}.inf", "Inf": "{np}.inf", "Infinity": "{np}.inf",
    "PINF": "{np}.inf", "NINF": "(-{np}.inf)", "NaN": "{np}.nan",
    "NAN": "{np}.nan", "PZERO": "0.0", "NZERO": "(-0.0)",
    "alltrue": "{np}.all", "sometrue": "{np}.any", "product": "{np}.prod",
    "cumproduct": "{np}.cumprod", "round_": "{np}.round", "rank": "{np}.ndim",
    "trapz": "{np}.trapezoid", "mat": "{np}.asmatrix",
    "issubclass_": "issubclass",
}
_NUMPY_KEYWORDS = {"reshape": {"newshape": "shape"},
                   "histogram": {"normed": "density"}}
_SIMPLE = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant)


def _numpy_has(name):
    import numpy  # noqa: PLC0415
    return name in numpy.__dict__


def _numpy_gone(name):
    """True if numpy lacks `name` (legacy names given back do not count)."""
    return not _numpy_has(name)


def _modern_exists(text):
    for word in ("float64", "complex128", "complex64", "longdouble",
                 "clongdouble", "str_", "bytes_", "intp", "uintp", "bool_",
                 "object_", "void", "inf", "nan", "all", "any", "prod",
                 "cumprod", "round", "ndim", "trapezoid", "asmatrix"):
        if text.endswith("." + word) or text.endswith("." + word + ")"):
            return _numpy_has(word)
    return True


def _numpy_edits(source, tree):
    """[(start, end, text, line, old, new)] in character offsets."""
    numpy_names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "numpy":
                    numpy_names.add(alias.asname or "numpy")
    if not numpy_names:
        return []
    lines = source.splitlines(keepends=True)
    starts, total = [], 0
    for line in lines:
        starts.append(total)
        total += len(line)

    def offset(lineno, col):
        line = lines[lineno - 1]
        return starts[lineno - 1] + len(
            line.encode("utf-8")[:col].decode("utf-8", "replace"))

    def span(node):
        return (offset(node.lineno, node.col_offset),
                offset(node.end_lineno, node.end_col_offset))

    def is_np_attr(node, names=None):
        return (isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in numpy_names
                and (names is None or node.attr in names))

    edits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and is_np_attr(node.func):
            np_name, attr = node.func.value.id, node.func.attr
            start, end = span(node)
            old = source[start:end]
            args = [ast.get_source_segment(source, a) for a in node.args]
            new = None
            if (attr == "asscalar" and len(node.args) == 1
                    and not node.keywords and _numpy_gone("asscalar")):
                arg = args[0]
                new = (f"{arg}.item()" if isinstance(node.args[0], _SIMPLE)
                       and not isinstance(node.args[0], ast.Constant)
                       else f"({arg}).item()")
            elif attr == "in1d" and _numpy_gone("in1d"):
                inner = source[span(node.func)[1]:end]
                new = f"{np_name}.isin{inner}.ravel()"
            elif (attr == "msort" and len(node.args) == 1
                  and not node.keywords and _numpy_gone("msort")):
                new = f"{np_name}.sort({args[0]}, axis=0)"
            elif attr in _NUMPY_KEYWORDS:
                for kw in node.keywords:
                    renamed = _NUMPY_KEYWORDS[attr].get(kw.arg)
                    if renamed is None:
                        continue
                    import inspect  # noqa: PLC0415
                    import numpy  # noqa: PLC0415
                    func = getattr(numpy, attr)
                    params = inspect.signature(
                        getattr(func, "__wrapped__", func)).parameters
                    if kw.arg in params or renamed not in params:
                        continue
                    k_start = offset(kw.lineno, kw.col_offset)
                    if source[k_start:k_start + len(kw.arg)] != kw.arg:
                        continue
                    edits.append((k_start, k_start + len(kw.arg), renamed,
                                  kw.lineno, f"{np_name}.{attr}(..., "
                                  f"{kw.arg}=)", f"{np_name}.{attr}(..., "
                                  f"{renamed}=)"))
            if new is not None and old.startswith(f"{np_name}.{attr}"):
                edits.append((start, end, new, node.lineno, old, new))
        elif is_np_attr(node, _NUMPY_NAMES) and _numpy_gone(node.attr):
            new = _NUMPY_NAMES[node.attr].format(np=node.value.id)
            if not _modern_exists(new):
                continue
            start, end = span(node)
            if source[start:end] != f"{node.value.id}.{node.attr}":
                continue        # positions inside f-strings before 3.12
            edits.append((start, end, new, node.lineno, source[start:end],
                          new))
    return edits


def rewrite_numpy(source, filename="<script>"):
    """(new source, [(line, old, new)]): numpy's removed names rewritten.

    Only names the installed numpy lacks and whose replacement it has;
    names bound by `import numpy [as np]`. Nested uses (`np.asscalar(
    np.float_(x))`) are rewritten in up to five passes.
    """
    original, changes = source, []
    for _ in range(5):
        tree = ast.parse(source, filename=filename)
        edits = sorted(_numpy_edits(source, tree),
                       key=lambda e: (e[0], -(e[1] - e[0])))
        chosen, last_end = [], -1
        for edit in edits:
            if edit[0] >= last_end:
                chosen.append(edit)
                last_end = edit[1]
        if not chosen:
            break
        for start, end, text, line, old, new in reversed(chosen):
            source = source[:start] + text + source[end:]
        changes += [(line, old, new) for _, _, _, line, old, new in chosen]
    try:
        ast.parse(source, filename=filename)
    except SyntaxError:         # never hand back code that does not parse
        return original, []
    return source, sorted(changes)


def upgrade_source(source, filename="<script>", legacy_numpy=True,
                   numpy_changes=None):
    """(new source, findings): imports rewritten, everything else untouched.

    With `legacy_numpy`, numpy's removed names are rewritten too
    (`rewrite_numpy`); pass a list as `numpy_changes` to get them.
    """
    findings = scan(source, filename)
    if legacy_numpy:
        source, changes = rewrite_numpy(source, filename)
        if numpy_changes is not None:
            numpy_changes.extend(changes)
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


def read_script(path):
    """(source text, encoding) of a Python script, decoded as Python does:
    a PEP 263 coding line (`# -*- coding: latin-1 -*-`) or a BOM, else
    UTF-8.

    Raises:
      ScriptError (an OSError): the path is missing, is a folder, cannot be
        read, or does not decode; the message names the path and the fix.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ScriptError(f"{path!r} is a folder, not a script: pass the .py "
                          "file to run.")
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise ScriptError(f"no such script: {path!r} (relative paths start "
                          f"in {os.getcwd()!r}); check the path.") from None
    except OSError as e:
        raise ScriptError(f"cannot read the script {path!r} "
                          f"({e.strerror or e}); make it readable.") from None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding), encoding
    except (SyntaxError, UnicodeDecodeError, LookupError) as e:
        raise ScriptError(
            f"the script {path!r} cannot be decoded ({e}). Save it as UTF-8, "
            "or declare its encoding on its first or second line, e.g. "
            "'# -*- coding: latin-1 -*-' (PEP 263).") from None


def _write_new(path, text, encoding):
    """Writes a new file through a temporary name; never overwrites."""
    parent = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(parent, f".{os.path.basename(path)}.tf1dnn-tmp-"
                       f"{os.getpid()}-{os.urandom(4).hex()}")
    try:
        with open(tmp, "x", encoding=encoding, newline="") as f:
            f.write(text)
        os.link(tmp, path)  # FileExistsError if it appeared meanwhile
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


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
    parser.add_argument("--no-legacy-numpy", action="store_true",
                        help="leave numpy's removed names (np.float, "
                             "np.asscalar, ...) as they are")
    args = parser.parse_args(argv)
    try:
        source, encoding = read_script(args.script)
    except ScriptError as e:
        print(f"tf1_dnn upgrade: error: {e}", file=sys.stderr)
        return 2
    try:
        numpy_changes = []
        new, findings = upgrade_source(
            source, args.script, legacy_numpy=not args.no_legacy_numpy,
            numpy_changes=numpy_changes)
    except SyntaxError as e:
        print(f"tf1_dnn upgrade: {args.script}:{e.lineno}: cannot parse "
              f"({e.msg}); is it Python 3?", file=sys.stderr)
        return 2
    for line in format_findings(findings):
        print(f"tf1_dnn upgrade: {line}", file=sys.stderr)
    for line, old, replacement in numpy_changes:
        print(f"tf1_dnn upgrade: {args.script}:{line}: numpy: {old} -> "
              f"{replacement}", file=sys.stderr)
    if args.out:
        if os.path.exists(args.out):
            same = os.path.samefile(args.out, args.script)
            print(f"tf1_dnn upgrade: {args.out} "
                  + ("is the input script" if same else "already exists")
                  + "; not overwritten. Choose another --out.",
                  file=sys.stderr)
            return 2
        try:
            _write_new(args.out, new, encoding)
        except OSError as e:
            print(f"tf1_dnn upgrade: error: cannot write {args.out!r} "
                  f"({e.strerror or e}); nothing was written under that "
                  "name. Choose a writable --out.", file=sys.stderr)
            return 1
        print(f"tf1_dnn upgrade: wrote {args.out}", file=sys.stderr)
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        source.splitlines(keepends=True), new.splitlines(keepends=True),
        fromfile="a/" + args.script.lstrip("/"),
        tofile="b/" + args.script.lstrip("/")))
    return 0

"""Read YAML data files safely: safe_load only, bounded size, no alias bombs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import DataError

MAX_BYTES = 1_000_000
MAX_NODES = 100_000


def read_yaml(path: Path | str, *, text: str | None = None) -> Any:
    """Parse one YAML file as plain data; raise DataError naming the file on any problem."""
    import yaml

    p = Path(path)
    if text is None:
        try:
            if p.is_dir():
                raise DataError(p, "is a directory, not a YAML file")
            if not p.is_file() and p.exists():
                raise DataError(p, "is not a regular file")
            with p.open("rb") as fh:
                raw = fh.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise DataError(p, f"is larger than {MAX_BYTES} bytes, the limit for data files")
            text = raw.decode("utf-8")
        except FileNotFoundError:
            raise DataError(p, "no such file") from None
        except UnicodeDecodeError:
            raise DataError(p, "is not UTF-8 text") from None
        except OSError as e:
            raise DataError(p, f"cannot be read ({e.strerror or e})") from None
    if not text.strip():
        raise DataError(p, "is empty")
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loader = loader_cls(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except RecursionError:
        raise DataError(p, "is nested too deeply") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or type(e).__name__
        raise DataError(p, f"is not valid YAML{where}: {problem}") from None
    if node is None:
        raise DataError(p, "is empty")
    if "&" in text or "*" in text:  # anchors or aliases (or text that merely holds those characters)
        _check_aliases(p, node)
    else:
        _check_keys(p, node)
    loader = loader_cls("")
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as e:  # e.g. a !!python/object tag: safe loaders refuse it
        problem = getattr(e, "problem", None) or type(e).__name__
        raise DataError(p, f"is not plain YAML data: {' '.join(str(problem).split())[:120]}") from None
    except RecursionError:
        raise DataError(p, "is nested too deeply") from None
    except (ValueError, OverflowError, TypeError) as e:  # e.g. an impossible date such as 2024-02-30
        raise DataError(p, f"holds a value YAML cannot read: {' '.join(str(e).split())[:120]}") from None
    finally:
        loader.dispose()


def _check_keys(path: Path, root: Any) -> None:
    """A document without aliases is a plain tree: refuse duplicate keys, and more than MAX_NODES nodes."""
    stack = [root]
    count = 0
    while stack:
        node = stack.pop()
        count += 1
        value = node.value
        if not isinstance(value, list):
            continue
        if node.tag.endswith(":map"):
            _no_duplicate_keys(path, value)
            for k, v in value:
                stack.append(k)
                stack.append(v)
        else:
            stack.extend(value)
    if count > MAX_NODES:
        raise DataError(path, f"has more than {MAX_NODES} YAML nodes (too large)")


def _no_duplicate_keys(path: Path, pairs: list[Any]) -> None:
    keys: set[str] = set()
    for k, _ in pairs:
        if isinstance(k.value, str):
            if k.value in keys:
                raise DataError(path, f"key {k.value[:40]!r} appears twice (line {k.start_mark.line + 1})")
            keys.add(k.value)


def _check_aliases(path: Path, root: Any) -> None:
    """Refuse documents whose aliases expand to a huge tree ('billion laughs' bombs)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes and not done:
            continue
        children: list[Any] = []
        if not done and node.tag.endswith(":map") and isinstance(node.value, list):
            _no_duplicate_keys(path, node.value)
        if isinstance(node.value, list):
            for item in node.value:
                children.extend(item if isinstance(item, tuple) else (item,))
        if not done:
            sizes[key] = -1  # in progress: a cycle back to it counts as one node
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        total = 1 + sum(max(sizes.get(id(c), 1), 1) for c in children)
        if total > MAX_NODES:
            raise DataError(path, f"expands to more than {MAX_NODES} YAML nodes (too large, or an alias bomb)")
        sizes[key] = total

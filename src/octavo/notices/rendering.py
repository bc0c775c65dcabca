"""Notice templates rendered in a sandbox (docs/adr/0015-notices.md): Jinja2's
ImmutableSandboxedEnvironment, narrowed further so that a site's editor reaches the documented
fields of rules.NoticeContext and nothing else: no attribute of any other object (not even a
string's or a list's methods), no globals, an undefined name is an error.

A template is refused at save (TemplateRefused) with the part and line of its first mistake:
a syntax error, an unknown field, or an error rendering the sample values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from octavo.notices.rules import ALLOWED, TOP_FIELDS, NoticeContext
from octavo.shared.errors import InvalidInput

# What `loop` offers inside a for loop (numbering, first and last).
_LOOP_FIELDS = frozenset({"index", "index0", "first", "last", "length", "revindex"})
PARTS = ("subject", "text", "html")
MAX_LENGTH = 20_000  # characters a part may have


class TemplateRefused(InvalidInput):
    """A template that cannot be saved: `part` (subject, text, html) and `line` say where."""

    def __init__(self, message: str, *, part: str, line: int | None):
        where = f"line {line}: " if line else ""
        super().__init__(f"{where}{message}", field=part)
        self.part = part
        self.line = line
        self.problem = message  # without the line


class _Sandbox(ImmutableSandboxedEnvironment):
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        allowed = ALLOWED.get(type(obj))
        if allowed is not None:
            return attr in allowed
        if isinstance(obj, LoopContext):
            return attr in _LOOP_FIELDS
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return False  # nothing a template reaches is meant to be called

    def getattr(self, obj: Any, attribute: str) -> Any:
        """The documented fields straight away (a night reads hundreds of thousands); anything
        else the sandbox's way, which refuses it."""
        allowed = ALLOWED.get(type(obj))
        if allowed is not None and attribute in allowed:
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)


def _environment(*, html: bool) -> _Sandbox:
    env = _Sandbox(autoescape=html, undefined=StrictUndefined, keep_trailing_newline=True)
    env.globals.clear()
    return env


_TEXT = _environment(html=False)
_HTML = _environment(html=True)


@dataclass(frozen=True, slots=True)
class Source:
    """One version of a template: its three parts."""

    subject: str
    text: str
    html: str

    def parts(self) -> Iterator[tuple[str, str]]:
        yield "subject", self.subject
        yield "text", self.text
        yield "html", self.html


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


# Between the parts of the combined template: a character no form can send and no value has.
_SEPARATOR = "\x1e"


class Compiled:
    """A template's three parts compiled once, rendered for many patrons. At night the three
    parts render in one call of one template (each part in its own autoescape block: the
    HTML escaped, the text and subject not), a third of the cost of three calls; should that
    template not compile or a value hold the separator, the parts render one by one."""

    def __init__(self, source: Source, *, name: str = "template"):
        self.source = source
        self.name = name
        self._parts = {}
        for part, text in source.parts():
            env = _HTML if part == "html" else _TEXT
            try:
                self._parts[part] = env.from_string(text)
            except TemplateSyntaxError as error:
                message = error.message or "syntax error"
                raise TemplateRefused(message, part=part, line=error.lineno) from error
        self._combined = None
        if _SEPARATOR not in source.subject + source.text + source.html:
            try:
                self._combined = _HTML.from_string(
                    "{% autoescape false %}"
                    f"{source.subject}{_SEPARATOR}{source.text}{_SEPARATOR}"
                    "{% endautoescape %}{% autoescape true %}"
                    f"{source.html}{{% endautoescape %}}"
                )
            except TemplateSyntaxError:
                self._combined = None

    def render(self, context: NoticeContext) -> Rendered:
        names = context.names()
        if self._combined is not None:
            parts = self._combined.render(names).split(_SEPARATOR)
            if len(parts) == 3:
                subject, text, html = parts
                return Rendered(subject=" ".join(subject.split())[:250], text=text, html=html)
        subject = self._parts["subject"].render(names)
        return Rendered(
            subject=" ".join(subject.split())[:250],
            text=self._parts["text"].render(names),
            html=self._parts["html"].render(names),
        )


def _template_line(tb: TracebackType | None) -> int | None:
    """The template line a rendering error happened on: Jinja rewrites the traceback so that
    a frame of the template's code names the template ('<template>') and its line."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


_UNDEFINED = re.compile(r"has no attribute '(\w+)'|'(\w+)' is undefined")


def _fields_used(part: str, text: str) -> None:
    """Names the template reads that the context does not have, refused with their line."""
    env = _HTML if part == "html" else _TEXT
    try:
        tree = env.parse(text)
    except TemplateSyntaxError as error:
        message = error.message or "syntax error"
        raise TemplateRefused(message, part=part, line=error.lineno) from error
    unknown = meta.find_undeclared_variables(tree) - set(TOP_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        line = next(
            (n.lineno for n in tree.find_all(nodes.Name) if n.name == name and n.ctx == "load"),
            None,
        )
        raise TemplateRefused(f"unknown field {name!r}", part=part, line=line)


def check(source: Source, context: NoticeContext) -> Compiled:
    """The template compiled, or TemplateRefused naming the part and line of the first
    mistake: too long, a syntax error, a name that is not a field, a field's attribute that
    does not exist, anything else rendering the sample values raises."""
    for part, text in source.parts():
        if len(text) > MAX_LENGTH:
            raise TemplateRefused(f"longer than {MAX_LENGTH:,} characters", part=part, line=None)
        if part != "html" and not text.strip():
            raise TemplateRefused("this part may not be empty", part=part, line=None)
        _fields_used(part, text)
    compiled = Compiled(source)
    names = context.names()
    for part, template in compiled._parts.items():
        try:
            template.render(names)
        except (TemplateError, SecurityError, TypeError, ValueError) as error:
            message = str(error).split("\n")[0]
            found = _UNDEFINED.search(message)
            if found:
                message = f"unknown field {found.group(1) or found.group(2)!r}"
            line = _template_line(error.__traceback__)
            raise TemplateRefused(message, part=part, line=line) from error
    return compiled

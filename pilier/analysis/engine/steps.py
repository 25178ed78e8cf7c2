from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Param:
    """A legal or tax figure of the rules data, with where it comes from."""

    key: str
    value: Decimal | None
    unit: str = ""
    verified: bool = False
    source: str = ""
    url: str | None = None
    note: str = ""
    text: str = ""  # a value that is a code, not a number (unit "code"): e.g. an assumption's default option
    derived: bool = False  # computed from other published figures, not itself published


@dataclass
class Step:
    name: str  # a stable code; the page translates it (pilier/analysis/labels.py)
    op: str  # input, param, assume, add, sub, mul, div, min, max, floor0, round2, sum, growth, annuity_due
    args: tuple[str | Decimal, ...]  # names of earlier steps, or Decimal literals
    value: Decimal
    source: str = ""  # for inputs: where it came from; for params: the publication
    verified: bool = True
    url: str | None = None
    note: str = ""
    key: str = ""  # for parameters: the rules key (e.g. plci.rate_ordinary)
    derived: bool = False  # for parameters: the rules entry is derived from other figures


def _pow(base: Decimal, exponent: Decimal) -> Decimal:
    if exponent == exponent.to_integral_value():
        return base ** int(exponent)
    return Decimal(str(float(base) ** float(exponent)))


def _apply(op: str, values: list[Decimal]) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        if op == "add":
            return values[0] + values[1]
        if op == "sub":
            return values[0] - values[1]
        if op == "mul":
            return values[0] * values[1]
        if op == "div":
            return values[0] / values[1]
        if op == "min":
            return min(values)
        if op == "max":
            return max(values)
        if op == "sum":
            return sum(values, Decimal(0))
        if op == "floor0":
            return max(values[0], Decimal(0))
        if op == "round2":
            return values[0].quantize(CENT, rounding=ROUND_HALF_UP)
        if op == "growth":  # (1 + rate) ** years
            return _pow(Decimal(1) + values[0], values[1])
        if op == "annuity_due":  # value at the end of `years` of 1 paid at the start of each year
            rate, years = values
            if rate == 0:
                return years
            return (_pow(Decimal(1) + rate, years) - 1) / rate * (Decimal(1) + rate)
    raise ValueError(f"unknown operation {op!r}")


class Steps:
    """Builds a figure's steps; each method records one step and returns its value."""

    def __init__(self) -> None:
        self.items: list[Step] = []
        self._values: dict[str, Decimal] = {}

    def _add(self, step: Step) -> Decimal:
        if step.name in self._values:
            raise ValueError(f"step {step.name!r} twice")
        self.items.append(step)
        self._values[step.name] = step.value
        return step.value

    def input(self, name: str, value: Decimal, source: str) -> Decimal:
        return self._add(Step(name, "input", (), Decimal(value), source=source))

    def param(self, name: str, param: Param) -> Decimal:
        if param.value is None:  # callers check first (`_need`) and list it as missing
            raise ValueError(f"parameter {param.key!r} has no value")
        return self._add(
            Step(
                name,
                "param",
                (),
                param.value,
                source=param.source,
                verified=param.verified,
                url=param.url,
                note=param.note,
                key=param.key,
                derived=param.derived,
            )
        )

    def assume(self, name: str, value: Decimal, note: str) -> Decimal:
        """An assumption the broker may change (e.g. the technical interest rate)."""
        return self._add(Step(name, "assume", (), Decimal(value), note=note, verified=True))

    def calc(self, name: str, op: str, *args: str | Decimal, note: str = "") -> Decimal:
        values = [self._values[a] if isinstance(a, str) else Decimal(a) for a in args]
        return self._add(Step(name, op, tuple(args), _apply(op, values), note=note))

    def fork(self) -> "Steps":
        """A copy to continue from, for a second figure built on the same steps."""
        copy = Steps()
        copy.items, copy._values = list(self.items), dict(self._values)
        return copy

    def value(self, name: str) -> Decimal:
        return self._values[name]

    @property
    def unverified(self) -> list[str]:
        return sorted({s.key for s in self.items if s.op == "param" and not s.verified})


def replay(steps: list[Step]) -> dict[str, Decimal]:
    """Recomputes every step from the inputs, parameters and assumptions; raises if one differs."""
    values: dict[str, Decimal] = {}
    for step in steps:
        if step.op in ("input", "param", "assume"):
            values[step.name] = step.value
            continue
        computed = _apply(step.op, [values[a] if isinstance(a, str) else Decimal(a) for a in step.args])
        if computed != step.value:
            raise AssertionError(f"step {step.name}: replayed {computed} != recorded {step.value}")
        values[step.name] = computed
    return values


@dataclass
class Figure:
    """A computed amount with its explanation; `value` is None when inputs are missing."""

    value: Decimal | None
    steps: list[Step] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

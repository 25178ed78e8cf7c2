"""Telebib2 files made for the tests (FORMATS.md §2): our own, never a real insurer's."""

from __future__ import annotations

AXA_ENTERPRISE = "0404.483.367"  # pilier/policies/data/insurers.json


def released(text: str) -> str:
    """`text` as an EDIFACT value: ? before each of ? ' + :"""
    return "".join("?" + char if char in "?'+:" else char for char in text)


def contract(
    *,
    number: str = "010113849770",
    fiscal: str | None = "15",
    policy_type: str | None = "110",
    status: str | None = "1",
    start: str | None = "01012019",
    end: str | None = None,
    premium: str | None = "245100",  # cents: 2,451.00
    frequency: str | None = "1",
    reserves: str | None = "1234567",  # 12,345.67
    reserves_date: str | None = "01012026",
    death_capital: str | None = None,
    holder: tuple[str, str] = ("DUBOIS", "Marc"),
    national_number: str | None = "85073003328",
    birth: str | None = None,
    language: str | None = "1",
    insurer_enterprise: str | None = AXA_ENTERPRISE,
    intermediary: bool = True,
    intermediary_enterprise: str | None = None,
    kind: str = "01",
    extra: list[str] | None = None,
    nested: bool = True,
) -> list[str]:
    """The segments of one message, each without its terminator (values released)."""
    seg = [f"XEH+{kind}+1", f"RFF+001:{released(number)}"]
    if policy_type:
        seg.append(f"IPD+A502+{policy_type}")
    seg.append("IPD+A532+P001:::" + released("Plan 'Avenir' + : ?"))
    if fiscal:
        seg.append(f"ATT+1400+{fiscal}")
    if status:
        seg.append(f"ATT+A003+{status}")
    if frequency:
        seg.append(f"ATT+A325+{frequency}")
    for qualifier, value in (("008", start), ("138", end), ("149", reserves_date)):
        if value:
            seg.append(f"DTM+{qualifier}:{value}")
    for qualifier, value in (("053", premium), ("186", reserves), ("026", death_capital)):
        if value:
            seg.append(f"MOA+{qualifier}:{value}:EUR:2")
    # The policyholder, with its address in a group of its own inside the party's group.
    seg += ["XRH+1", "PTY+003", f"NME+001+{released(holder[0])}:{released(holder[1])}"]
    if national_number:
        seg.append(f"RFF+022:{national_number}")
    if birth:
        seg.append(f"DTM+001:{birth}")
    if language:
        seg.append(f"ATT+A10C+{language}")
    if nested:
        seg += ["XRH+2", "ADR+002+Rue de l?'Église 1", "XRT+2"]
    seg.append("XRT+1")
    # Covers in a group, after the holder: they are the contract's again.
    seg += ["XRH+1", "ICD+100:::" + released("Vie"), "MOA+023:500000:EUR:2", "XRT+1"]
    if insurer_enterprise is not None:
        seg += ["XRH+1", "PTY+006", "NME+001+AXA Belgium", f"RFF+075:{insurer_enterprise}", "XRT+1"]
    if intermediary:
        seg += ["XRH+1", "PTY+002", "NME+001+Courtage Alpha"]
        if intermediary_enterprise:
            seg.append(f"RFF+075:{intermediary_enterprise}")
        seg.append("XRT+1")
    seg += extra or []
    seg.append("XET+1")
    return seg


def telebib_file(
    *messages: list[str], sender: str = "9999", una: str | None = None, encoding: str = "iso-8859-1", lines: bool = True
) -> bytes:
    """A whole file: XGH … XGT around the messages, one segment a line (or all on one line)."""
    segments = [f"XGH+1+{sender}+20261203"]
    for message in messages:
        segments += message
    segments.append("XGT+1")
    text = ("'\r\n" if lines else "'").join(segments) + "'"
    if una:
        text = una + text
    return text.encode(encoding)

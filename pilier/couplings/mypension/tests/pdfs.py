"""Realistic MyPension "dossier complet" PDFs for the tests, made with WeasyPrint (HTML → PDF, real text).

Never a real person: fake names, national numbers made with their check digits (python-stdnum's rule), fake
organisers with valid enterprise numbers; the institutions are real insurers (companies, public data) so that
the review side can match them. The layout follows FORMATS.md §1 and every variation it lists can be asked for:
parts in any order, a table split over pages with or without its header repeated, multi-line cells, the
thousands separator (dot, space, no-break, narrow no-break), a garbled euro sign or accents, an empty part, a
total that does not add up. `encrypted_pdf()` writes a password-protected PDF by hand (RC4, standard security
handler revision 2), since WeasyPrint cannot encrypt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import random
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from stdnum.be import nn

SEPARATORS = {"dot": ".", "space": " ", "nbsp": "\u00a0", "nnbsp": "\u202f", "none": ""}

INSTITUTIONS = [
    ("AXA Belgium", "0404.483.367", "010.113.849.770"),
    ("AG Insurance", "0404.494.849", "11356861"),
    ("Allianz Benelux", "0403.258.197", "BCUD0391210600"),
    ("Baloise Belgium", "0400.048.883", "1A06708"),
    ("Ethias", "0404.484.654", "45.123.987"),
    ("P&V Assurances", "0402.236.531", "PV-778812"),
]


def enterprise_number(body: int) -> str:
    """A valid enterprise number (mod 97 check) from a 7-digit body: 0BBB.BBB.BCC."""
    base = int(f"0{body:07d}")
    digits = f"0{body:07d}{97 - base % 97:02d}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def national_number(born: dt.date, serial: int) -> str:
    """11 digits with the check digits of the national register."""
    body = f"{born:%y%m%d}{serial:03d}"
    base = int(("2" if born.year >= 2000 else "") + body)
    number = f"{body}{97 - base % 97:02d}"
    assert nn.is_valid(number)
    return number


def amount(value: Decimal, separator: str = ".", euro: str = "€") -> str:
    """`value` the Belgian way: 1.234.567,89 € (the separator of thousands as asked)."""
    sign = "-" if value < 0 else ""
    units, cents = f"{abs(value):.2f}".split(".")
    groups: list[str] = []
    while len(units) > 3:
        groups.insert(0, units[-3:])
        units = units[:-3]
    groups.insert(0, units)
    text = f"{sign}{separator.join(groups)},{cents}"
    return f"{text} {euro}" if euro else text


@dataclass
class FakeContract:
    part: str  # "employee" | "self_employed"
    plan_label: str
    institution: str
    institution_number: str
    reference: str
    db2p_id: str
    organiser: str = ""  # "" → "Pas d'application"
    organiser_number: str = ""
    status: str = "active"  # active | not_active | dormant (dormant: "Compte dormant", table says not active)
    exit_date: dt.date | None = None
    reserves: Decimal = Decimal("0.00")
    vested_benefit: Decimal | None = None
    vested_due: dt.date | None = None
    death_cover: Decimal | None = None
    branch: str | None = None
    sheet: bool = True  # a detail sheet is printed for it
    in_table: bool = True


@dataclass
class FakeDossier:
    language: str = "fr"
    year: int = 2026
    first_name: str = "Hélène"
    last_name: str = "Lefèvre"
    national_number: str = field(default_factory=lambda: national_number(dt.date(1985, 7, 30), 33))
    address: tuple[str, ...] = ("Rue de la Station 12", "5000 Namur")
    contracts: list[FakeContract] = field(default_factory=list)
    parts_order: tuple[str, ...] = ("employee", "self_employed")
    separator: str = "."
    euro: str = "€"
    garble_accents: bool = False
    repeat_header: bool = True  # when a table goes over a page break
    break_table_after: int | None = None  # a page break after this many rows of each table
    total_offset: Decimal = Decimal("0.00")  # added to the printed totals (a total that does not add up)
    empty_parts: tuple[str, ...] = ()  # parts printed with no plan
    filler_pages: int = 0  # pages of explanation text (a bigger file)

    @property
    def reference_date(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def holder_name(self) -> str:
        return f"{self.first_name} {self.last_name}".upper()


WORDS: dict[str, dict[str, Any]] = {
    "fr": {
        "title": "Dossier « ma pension complémentaire » {year}",
        "identity": "Mes données",
        "nn": "(Numéro NISS : {nn})",
        "situation": "Situation au {date}",
        "overview": "Aperçu",
        "death_overview": "Couverture décès au {date} {amount}",
        "part": {
            "employee": "Ma pension complémentaire comme travailleur salarié",
            "self_employed": "Ma pension complémentaire comme indépendant",
        },
        "table": {
            "employee": "Plans de pension comme travailleur salarié au {date}",
            "self_employed": "Plans de pension comme indépendant au {date}",
        },
        "columns": [
            "Organisateur",
            "Organisme de pension",
            "Plan de pension",
            "Statut d'affiliation au {date}",
            "Réserve de pension le {date}",
            "Evènement après {date}",
        ],
        "total": {
            "employee": "Total de la réserve de pension comme travailleur salarié: {amount}",
            "self_employed": "Total de la réserve de pension comme indépendant: {amount}",
        },
        "sheets": {
            "employee": "Fiche de détail comme travailleur salarié",
            "self_employed": "Fiche de détail comme indépendant",
        },
        "none": "Pas d'application",
        "active": "Affilié actif",
        "not_active": "Affilié non actif",
        "exit": "Sortie le {date}",
        "organised": "Organisé par (numéro d'entreprise {number})",
        "managed": "Géré par (numéro d'entreprise {number})",
        "reference": "Référence : {reference} - {db2p}",
        "status": "Statut d'affiliation au {date} : {status}",
        "reserves": "Réserve de pension totale au {date} {amount}",
        "vested": "Prestation acquise au {date} (échéance le {due}) {amount}",
        "death": "Couverture décès totale au {date} {amount}",
        "dormant": "Compte dormant",
        "branch": "Votre réserve est gérée en branche {branch} (assurance).",
        "empty": "Aucun plan de pension n'est connu pour cette partie.",
        "page": "Page",
        "filler": "Les données de ce dossier proviennent de la banque de données DB2P, gérée par Sigedis. "
        "Les organismes de pension ont jusqu'au 30 septembre pour communiquer les montants au 1er janvier. ",
    },
    "nl": {
        "title": "Dossier « mijn aanvullend pensioen » {year}",
        "identity": "Mijn gegevens",
        "nn": "(INSZ-nummer : {nn})",
        "situation": "Situatie op {date}",
        "overview": "Overzicht",
        "death_overview": "Overlijdensdekking op {date} {amount}",
        "part": {
            "employee": "Mijn aanvullend pensioen als werknemer",
            "self_employed": "Mijn aanvullend pensioen als zelfstandige",
        },
        "table": {
            "employee": "Pensioenplannen als werknemer op {date}",
            "self_employed": "Pensioenplannen als zelfstandige op {date}",
        },
        "columns": [
            "Inrichter",
            "Pensioeninstelling",
            "Pensioenplan",
            "Aansluitingsstatus op {date}",
            "Pensioenreserve op {date}",
            "Gebeurtenis na {date}",
        ],
        "total": {
            "employee": "Totaal van de pensioenreserve als werknemer: {amount}",
            "self_employed": "Totaal van de pensioenreserve als zelfstandige: {amount}",
        },
        "sheets": {"employee": "Detailfiche als werknemer", "self_employed": "Detailfiche als zelfstandige"},
        "none": "Niet van toepassing",
        "active": "Actief aangesloten",
        "not_active": "Niet-actief aangesloten",
        "exit": "Uittreding op {date}",
        "organised": "Georganiseerd door (ondernemingsnummer {number})",
        "managed": "Beheerd door (ondernemingsnummer {number})",
        "reference": "Referentie : {reference} - {db2p}",
        "status": "Aansluitingsstatus op {date} : {status}",
        "reserves": "Totale pensioenreserve op {date} {amount}",
        "vested": "Verworven prestatie op {date} (einddatum {due}) {amount}",
        "death": "Totale overlijdensdekking op {date} {amount}",
        "dormant": "Slapende rekening",
        "branch": "Uw reserve wordt beheerd in tak {branch} (verzekering).",
        "empty": "Er is geen pensioenplan bekend voor dit deel.",
        "page": "Pagina",
        "filler": "De gegevens van dit dossier komen uit de gegevensbank DB2P, beheerd door Sigedis. "
        "De pensioeninstellingen hebben tot 30 september om de bedragen op 1 januari door te geven. ",
    },
}

PLAN_LABELS = {
    "fr": {
        "group_insurance": "Assurance de groupe",
        "employer_plan": "Plan de pension de l'employeur",
        "eip": "Engagement individuel de pension (EIP)",
        "plci": "Pension libre complémentaire pour indépendants (PLCI)",
        "plci_social": "PLCI sociale",
        "cpti": "Convention de pension pour travailleurs indépendants (CPTI)",
        "inami": "Régime INAMI",
    },
    "nl": {
        "group_insurance": "Groepsverzekering",
        "employer_plan": "Pensioenplan van de werkgever",
        "eip": "Individuele pensioentoezegging (IPT)",
        "plci": "Vrij aanvullend pensioen voor zelfstandigen (VAPZ)",
        "plci_social": "Sociaal VAPZ",
        "cpti": "Pensioenovereenkomst voor zelfstandigen (POZ)",
        "inami": "RIZIV-regeling",
    },
}

CSS = """
@page { size: A4; margin: 1.8cm 1.6cm; @bottom-center { content: "%(page)s " counter(page) " / " counter(pages);
  font-size: 7.5pt } }
body { font-family: 'DejaVu Sans', sans-serif; font-size: 8.5pt; }
h1 { font-size: 14pt } h2 { font-size: 11.5pt; margin-top: 10pt } h3 { font-size: 10pt }
table.plans { border-collapse: collapse; width: 100%%; }
table.plans td, table.plans th { border: 0.6pt solid #555; padding: 2.5pt; vertical-align: top; text-align: left;
  font-size: 7.5pt }
table.plans th { font-weight: bold; background: #eee }
tr { break-inside: avoid }
col.c1 { width: 17%% } col.c2 { width: 17%% } col.c3 { width: 28%% } col.c4 { width: 12%% } col.c5 { width: 13%% }
.sheet { break-before: page }
.overview { display: flex } .overview div { width: 48%% }
p.filler { text-align: justify }
"""


def _date(value: dt.date) -> str:
    return f"{value:%d/%m/%Y}"


class _Writer:
    def __init__(self, dossier: FakeDossier):
        self.d = dossier
        self.w = WORDS[dossier.language]

    def money(self, value: Decimal) -> str:
        return amount(value, self.d.separator, self.d.euro)

    def t(self, text: str) -> str:
        text = html.escape(text, quote=False)
        if self.d.garble_accents:
            for char in "éèêàçëïôû":
                text = text.replace(char, "\ufffd")
        return text

    def table(self, part: str, contracts: list[FakeContract]) -> str:
        d, w = self.d, self.w
        date = _date(d.reference_date)
        header = "<tr>" + "".join(f"<th>{self.t(c.format(date=date))}</th>" for c in w["columns"]) + "</tr>"
        rows = []
        for index, c in enumerate(contracts):
            organiser = f"{self.t(c.organiser)}<br>{c.organiser_number}" if c.organiser else self.t(w["none"])
            status = w["not_active"] if c.status in ("not_active", "dormant") else w["active"]
            event = self.t(w["exit"].format(date=_date(c.exit_date))) if c.exit_date else "-"
            style = ""
            if d.break_table_after and index and index % d.break_table_after == 0:
                style = ' style="break-before: page"'
            cells = [
                organiser,
                f"{self.t(c.institution)}<br>{c.institution_number}",
                f"{self.t(c.plan_label)}<br>{html.escape(c.reference)}<br>{c.db2p_id}",
                self.t(status),
                self.t(self.money(c.reserves)),
                event,
            ]
            rows.append(f"<tr{style}>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>")
            if style and d.repeat_header:
                rows[-1] = rows[-1]  # the thead repeats itself on the new page
        if d.repeat_header:
            body = f"<thead>{header}</thead><tbody>{''.join(rows)}</tbody>"
        else:
            body = f"<tbody>{header}{''.join(rows)}</tbody>"
        cols = "".join(f'<col class="c{i}">' for i in range(1, 7))
        total = sum((c.reserves for c in contracts), Decimal("0.00")) + d.total_offset
        return (
            f"<h2>{part_number(d, part)}.1 {self.t(w['table'][part].format(date=date))}</h2>"
            f'<table class="plans">{cols}{body}</table>'
            f"<p>{self.t(w['total'][part].format(amount=self.money(total)))}</p>"
        )

    def sheet(self, part: str, c: FakeContract) -> str:
        d, w = self.d, self.w
        date = _date(d.reference_date)
        heading = self.t(c.plan_label)
        if c.status == "dormant":
            heading += " – " + self.t(w["dormant"])
        status = w["not_active"] if c.status in ("not_active", "dormant") else w["active"]
        out = [
            f'<div class="sheet"><h2>{part_number(d, part)}.2 {self.t(w["sheets"][part])}</h2>',
            f"<h3>{heading}</h3>",
        ]
        if c.organiser:
            out.append(f"<p>{self.t(c.organiser)}<br>{self.t(w['organised'].format(number=c.organiser_number))}</p>")
        out.append(f"<p>{self.t(c.institution)}<br>{self.t(w['managed'].format(number=c.institution_number))}</p>")
        out.append(f"<p>{self.t(w['reference'].format(reference=c.reference, db2p=c.db2p_id))}</p>")
        out.append(f"<p>{self.t(w['status'].format(date=date, status=status))}</p>")
        out.append(f"<p>{self.t(w['reserves'].format(date=date, amount=self.money(c.reserves)))}</p>")
        if c.vested_benefit is not None and c.vested_due is not None:
            text = w["vested"].format(date=date, due=_date(c.vested_due), amount=self.money(c.vested_benefit))
            out.append(f"<p>{self.t(text)}</p>")
        if c.death_cover is not None:
            out.append(f"<p>{self.t(w['death'].format(date=date, amount=self.money(c.death_cover)))}</p>")
        if c.branch:
            out.append(f"<p>{self.t(w['branch'].format(branch=c.branch))}</p>")
        out.append("</div>")
        return "".join(out)

    def document(self) -> str:
        d, w = self.d, self.w
        date = _date(d.reference_date)
        parts = []
        employee_death = sum((c.death_cover or Decimal(0) for c in d.contracts if c.part == "employee"), Decimal(0))
        self_death = sum((c.death_cover or Decimal(0) for c in d.contracts if c.part != "employee"), Decimal(0))
        parts.append(f"<h1>{self.t(w['title'].format(year=d.year))}</h1>")
        parts.append(f"<h2>1 {self.t(w['identity'])}</h2>")
        formatted = nn.format(d.national_number)
        address = "<br>".join(self.t(a) for a in d.address)
        parts.append(f"<p>{self.t(d.holder_name)}<br>{self.t(w['nn'].format(nn=formatted))}<br>{address}</p>")
        parts.append(f"<p>{self.t(w['situation'].format(date=date))}</p>")
        parts.append(
            f"<h3>{self.t(w['overview'])}</h3><div class='overview'>"
            f"<div>{self.t(w['death_overview'].format(date=date, amount=self.money(employee_death)))}</div>"
            f"<div>{self.t(w['death_overview'].format(date=date, amount=self.money(self_death)))}</div></div>"
        )
        for _ in range(d.filler_pages):
            parts.append(f"<p class='filler' style='break-before: page'>{self.t(w['filler'] * 30)}</p>")
        for part in d.parts_order:
            contracts = [c for c in d.contracts if c.part == part]
            parts.append(f"<h2 style='break-before: page'>{part_number(d, part)} {self.t(w['part'][part])}</h2>")
            if part in d.empty_parts or not contracts:
                parts.append(f"<p>{self.t(w['empty'])}</p>")
                continue
            table_contracts = [c for c in contracts if c.in_table]
            if table_contracts:
                parts.append(self.table(part, table_contracts))
            for c in contracts:
                if c.sheet:
                    parts.append(self.sheet(part, c))
        style = CSS % {"page": w["page"]}
        return f"<html lang='{d.language}'><head><meta charset='utf-8'><style>{style}</style></head>" + (
            f"<body>{''.join(parts)}</body></html>"
        )


def part_number(dossier: FakeDossier, part: str) -> str:
    return "2" if part == "employee" else "3"


def render_html(text: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=text).write_pdf())


def dossier_pdf(dossier: FakeDossier) -> bytes:
    return render_html(_Writer(dossier).document())


# ── Ready-made dossiers ─────────────────────────────────────────────────────────────────────────────────────


def db2p(year: int, serial: int) -> str:
    s = f"{serial:012d}"
    return f"{year}-0000-0000-{s[:4]}-{s[4:8]}-{s[8:]}"


def sample_contracts(language: str = "fr") -> list[FakeContract]:
    """Two former employers (one dormant, one exited), a current group insurance, an EIP, a PLCI (branch 23), a
    social PLCI, a CPTI and an INAMI contract: amounts from 0,00 € to millions."""
    labels = PLAN_LABELS[language]
    acme = ("Boulangerie Dumont SRL", enterprise_number(7_654_321))
    metal = ("Metaalwerken Peeters NV", enterprise_number(4_512_087))
    own = ("Lefèvre Consult SRL", enterprise_number(7_012_345))
    axa, ag, allianz, baloise, ethias, pv = INSTITUTIONS
    return [
        FakeContract(
            "employee",
            labels["group_insurance"],
            axa[0],
            axa[1],
            "010.113.849.770",
            db2p(2011, 1),
            *acme,
            status="dormant",
            exit_date=dt.date(2014, 8, 31),
            reserves=Decimal("39391.76"),
            vested_benefit=Decimal("52310.00"),
            vested_due=dt.date(2050, 7, 1),
            death_cover=Decimal("0.00"),
            branch="21",
        ),
        FakeContract(
            "employee",
            labels["employer_plan"],
            ag[0],
            ag[1],
            "11356861",
            db2p(2015, 2),
            *metal,
            status="not_active",
            exit_date=dt.date(2019, 3, 15),
            reserves=Decimal("12874.05"),
            death_cover=Decimal("25000.00"),
            branch="21",
        ),
        FakeContract(
            "employee",
            labels["group_insurance"],
            allianz[0],
            allianz[1],
            "BCUD0391210600",
            db2p(2019, 3),
            *own,
            status="active",
            reserves=Decimal("1234567.89"),
            vested_benefit=Decimal("1301000.00"),
            vested_due=dt.date(2050, 7, 1),
            death_cover=Decimal("2500000.00"),
            branch="23",
        ),
        FakeContract(
            "employee",
            labels["eip"],
            baloise[0],
            baloise[1],
            "1A06708",
            db2p(2020, 4),
            *own,
            reserves=Decimal("0.00"),
            death_cover=Decimal("150000.00"),
            branch="21",
        ),
        FakeContract(
            "self_employed",
            labels["plci"],
            ethias[0],
            ethias[1],
            "45.123.987",
            db2p(2012, 5),
            reserves=Decimal("48210.33"),
            death_cover=Decimal("10000.00"),
            branch="23",
        ),
        FakeContract(
            "self_employed",
            labels["plci_social"],
            pv[0],
            pv[1],
            "PV-778812",
            db2p(2016, 6),
            reserves=Decimal("7350.00"),
            death_cover=Decimal("5000.00"),
        ),
        FakeContract(
            "self_employed",
            labels["cpti"],
            axa[0],
            axa[1],
            "010.998.877.001",
            db2p(2021, 7),
            reserves=Decimal("3125.50"),
            branch="21",
        ),
        FakeContract(
            "self_employed",
            labels["inami"],
            ag[0],
            ag[1],
            "11977001",
            db2p(2018, 8),
            status="not_active",
            reserves=Decimal("999.99"),
        ),
    ]


def sample_dossier(language: str = "fr", **options: object) -> FakeDossier:
    if language == "nl":
        base = FakeDossier(
            language="nl",
            first_name="Koen",
            last_name="Vermeulen",
            national_number=national_number(dt.date(1979, 11, 4), 117),
            address=("Kerkstraat 8", "9000 Gent"),
            contracts=sample_contracts("nl"),
        )
    else:
        base = FakeDossier(contracts=sample_contracts("fr"))
    return replace(base, **options)  # type: ignore[arg-type]


def random_dossier(seed: int, language: str = "fr", contracts: int = 6) -> FakeDossier:
    rng = random.Random(seed)
    pool = sample_contracts(language)
    chosen = [replace(rng.choice(pool), db2p_id=db2p(2010 + i % 15, 100 + i)) for i in range(contracts)]
    return sample_dossier(language, contracts=chosen)


# ── PDFs that are not MyPension files, and an encrypted one ─────────────────────────────────────────────────


def letter_pdf() -> bytes:
    """A broker's letter: a readable PDF, not a MyPension file."""
    return render_html(
        "<html><body><h1>Courtage Exemple SRL</h1><p>Namur, le 3 décembre 2026</p>"
        "<p>Madame, Monsieur, veuillez trouver ci-joint votre avis d'échéance : 1.234,56 € au 01/01/2026.</p>"
        "<table border='1'><tr><td>Police</td><td>Prime</td></tr><tr><td>123</td><td>99,00 €</td></tr></table>"
        "</body></html>"
    )


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def encrypted_pdf(user_password: str = "secret", owner_password: str = "owner") -> bytes:
    """A one-page PDF with a text stream, encrypted by the standard security handler, revision 2 (40-bit RC4;
    ISO 32000-1, 7.6.3, algorithms 1, 2 and 3): it opens with `user_password` and not without."""
    doc_id = hashlib.md5(b"pilier-test-encrypted", usedforsecurity=False).digest()
    permissions = -4  # all allowed
    owner_key = hashlib.md5((owner_password.encode() + _PAD)[:32], usedforsecurity=False).digest()[:5]
    o_value = _rc4(owner_key, (user_password.encode() + _PAD)[:32])
    key_input = (user_password.encode() + _PAD)[:32] + o_value + permissions.to_bytes(4, "little", signed=True)
    key = hashlib.md5(key_input + doc_id, usedforsecurity=False).digest()[:5]
    u_value = _rc4(key, _PAD)

    def object_key(number: int) -> bytes:
        return hashlib.md5(key + number.to_bytes(3, "little") + b"\x00\x00", usedforsecurity=False).digest()[:10]

    content = _rc4(object_key(4), b"BT /F1 12 Tf 72 720 Td (Situation au 01/01/2026) Tj ET")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <"
        + o_value.hex().encode()
        + b"> /U <"
        + u_value.hex().encode()
        + b"> /P "
        + str(permissions).encode()
        + b" >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 6 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        doc_id.hex().encode(),
        doc_id.hex().encode(),
        xref,
    )
    return bytes(out)


def scanned_pdf() -> bytes:
    """A PDF with no text at all (as a scan is): only a drawing."""
    return render_html("<html><body><div style='width:5cm;height:5cm;background:#333'></div></body></html>")

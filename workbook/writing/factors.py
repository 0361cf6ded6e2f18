"""Which of the five factors a text addresses, found through the many ways people phrase them.

Each factor has cues: a short label (shown to the learner, "budget") and a regular expression over normalised
text (lower case, no markdown). A factor is *discussed* when two or more different cues match, *mentioned* when
one does, *missing* when none does. Cues are whole phrases where single words would be ambiguous ("best" alone
says nothing; "best explanations" does). A few cues in German, French and Spanish catch the obvious cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbook.writing.rubric import FACTORS

DISCUSSED, MENTIONED, MISSING = "discussed", "mentioned", "missing"

_OWN = r"(?:our|its|his|her|their|my|the lab's|the school's|your|own)"

_CUES: dict[str, list[tuple[str, str]]] = {
    "capability": [
        ("capability", r"\b(?:in)?capab(?:le|ility|ilities)\b"),
        ("quality", r"\bquality\b"),
        ("accuracy", r"\b(?:in)?accura(?:te|cy)\b|\bprecis(?:e|ion)\b"),
        ("performance", r"\bperform(?:ance|s|ed|ing)?\b|\bbenchmark"),
        (
            "frontier model",
            r"\bfrontier\b|\bstate[- ]of[- ]the[- ]art\b|\bcutting[- ]edge\b"
            r"|\bleading (?:\w+ )?(?:models?|systems?|assistants?|ais?)\b",
        ),
        ("reasoning", r"\breason(?:ing|s) (?:well|ability|skills?)|\bmulti[- ]step\b|\bstep[- ]by[- ]step\b"),
        (
            "explanation quality",
            r"\b(?:clear|clearer|clearest|good|better|best|strong|correct|accurate|patient)"
            r"(?:,? [\w-]+){0,2} explanations?\b"
            r"|\bexplain(?:s|ing)? (?:\w+ )?(?:well|clearly|correctly|better)\b",
        ),
        (
            "model strength",
            r"\b(?:strong|stronger|strongest|powerful|smart|smarter|weaker|small|smaller|larger"
            r"|bigger|best|better|most capable) (?:ai |language |open |closed )?models?\b",
        ),
        ("mistakes", r"\bhallucinat|\bmistakes?\b|\bwrong answers?\b|\berrors? in (?:the )?(?:answers|output)"),
        (
            "good enough",
            r"\bgood enough\b|\bfit for (?:the )?(?:task|job|purpose)\b|\bdomain[- ](?:knowledge|fit"
            r"|specific|expert)|\bspeciali[sz]ed (?:task|domain|model)",
        ),
        ("model size", r"\b\d+ ?b(?:illion)?[- ]parameters?\b|\b(?:8|13|70|405) ?b\b(?! ?tokens)"),
        ("fine-tuning", r"\bfine[- ]?tun(?:e|ed|ing)\b"),
        ("gap", r"\bcapability gap\b|\bgap (?:has )?narrow"),
        ("Leistung/qualité", r"\bleistungsf|\bqualität\b|\bqualité\b|\bcalidad\b|\bcapacidad del modelo"),
    ],
    "data_sensitivity": [
        ("sensitive data", r"\bsensitiv(?:e|ity)\b"),
        ("confidential", r"\bconfidential(?:ity)?\b|\bsecret\b|\bclassified\b"),
        ("privacy", r"\bprivacy\b|\bprivate (?:data|information|drafts?|notes|ideas)\b"),
        (
            "personal data",
            r"\bpersonal (?:data|details|information)\b|\bpii\b|\bminors?\b|\bchildren\b|\bteenagers?\b"
            r"|\bstudents' (?:data|questions|work|messages)",
        ),
        ("proprietary data", r"\bproprietary\b|\btrade secrets?\b|\bintellectual property\b"),
        (
            "training data",
            r"\btraining data\b|\btrain(?:s|ed)? on (?:our|her|their|its|the|my|user|customer)"
            r"|\bused (?:for|in|to) train",
        ),
        (
            "data leaves",
            r"\b(?:data|drafts?|sequences?|documents?|ideas|notes|records) (?:would |must |can |could |"
            r"should |never |not |cannot |can't )*(?:leave|leaves|leaving|stay|stays|remain|go|goes"
            r"|be sent|sent)\b",
        ),
        (
            "third party",
            r"\bthird[- ]part(?:y|ies)\b|\boutside (?:party|parties|company)\b|\bsees? (?:the|our|her)"
            r" (?:data|drafts)",
        ),
        ("in-house", r"\bin[- ]house\b|\bon[- ]prem(?:ise|ises)?\b|\bnever leaves?\b|\bkept (?:local|inside)"),
        (
            "data agreement",
            r"\bdata processing agreement\b|\bdpa\b|\bgdpr\b|\bhipaa\b|\bferpa\b|\bcoppa\b"
            r"|\bretention\b|\bzero[- ]retention",
        ),
        ("leak", r"\bleak(?:s|ed|ing|age)?\b|\bexpos(?:e|ed|ure)\b|\bbreach(?:es)?\b"),
        ("sources", r"\bprotect (?:her|his|my|their) sources\b|\bsources' identit|\bunpublished\b"),
        (
            "Datenschutz/données",
            r"\bdatenschutz|\bvertraulich|\bdonnées (?:sensibles|personnelles)"
            r"|\bconfidentialité\b|\bdatos (?:sensibles|personales)|\bprivacidad\b",
        ),
    ],
    "infrastructure": [
        ("infrastructure", r"\binfrastructure\b"),
        ("GPUs", r"\bgpus?\b|\bh100s?\b|\ba100s?\b|\bl40s\b|\bcluster\b"),
        ("hardware", r"\bhardware\b|\bservers?\b|\bmachines?\b|\blaptop\b|\bworkstation\b|\bdata cent(?:er|re)\b"),
        (
            "self-hosting",
            r"\bself[- ]?host|\bhost(?:ing)? (?:it|the model|a model|models) (?:ourselves|themselves|"
            r"herself|himself|in-house|locally)|\brun (?:it|the model|a model|models) (?:locally|"
            rf"ourselves|themselves|herself|himself|on {_OWN})|\blocally\b",
        ),
        (
            "engineers",
            r"\bengineer(?:s|ing)?\b|\bdevops\b|\bmlops\b|\bit (?:staff|team|department|support)\b"
            r"|\btechnical (?:staff|team|skills?|expertise|capacity)\b|\bsysadmin",
        ),
        (
            "operations",
            r"\boperat(?:e|ing|ion|ions|ional)\b|\bmaint(?:ain|ains|aining|enance)\b|\bpatch(?:es|ing)?"
            r"\b|\bmonitor(?:ing)?\b|\bserving\b|\buptime\b|\bupdates?\b|\bkeep (?:it|the \w+) running",
        ),
        ("deployment", r"\bdeploy(?:s|ed|ing|ment)?\b|\bset[- ]?up\b|\binstall(?:ed|ing|ation)?\b"),
        (
            "team capacity",
            r"\bno (?:one|engineers|staff|technical)\b|\bnobody\b|\bsmall team\b|\bworks alone\b|"
            r"\bsolo\b|\bteam (?:can|cannot|can't|could)\b",
        ),
        ("Infrastruktur", r"\binfrastruktur\b|\binfraestructura\b|\bmatériel\b|\bservidores?\b|\bingenieros?\b"),
    ],
    "cost": [
        ("cost", r"\bcost(?:s|ing|ly)?\b"),
        ("price", r"\bpric(?:e|es|ed|ing)\b|\bper[- ](?:million|1m|token)\b|\btokens? (?:a|per) month\b"),
        ("budget", r"\bbudget\b|\bafford(?:able|ed)?\b|\bspend(?:ing)?\b|\bbills?\b|\bfees?\b"),
        ("money figures", r"\$ ?\d|\d ?\$|\busd\b|\bdollars?\b|€ ?\d|\d ?€|\beur(?:os?)?\b"),
        ("cheap/expensive", r"\bcheap(?:er|est)?\b|\bexpensive\b|\binexpensive\b|\bcost[- ]effective\b"),
        (
            "volume",
            r"\bvolume\b|\bat (?:this|that|our|her|their|the expected) scale\b|\busage\b"
            r"|\bmillions? (?:of )?tokens\b|\bbillions? (?:of )?tokens\b",
        ),
        ("crossover", r"\bcross[- ]?over\b|\bbreak[- ]?even\b|\bbreaks even\b|\bamorti[sz]"),
        ("pay per use", r"\bpay[- ](?:as[- ]you[- ]go|per[- ]use|per[- ]token)\b|\bsubscription\b"),
        ("Kosten/coût", r"\bkosten\b|\bcoûts?\b|\bcostos?\b|\bprecios?\b|\bpresupuesto\b"),
    ],
    "sovereignty": [
        ("sovereignty", r"\bsovereign(?:ty)?\b"),
        (
            "lock-in",
            r"\block(?:ed)?[- ]in\b|\bvendor (?:dependence|dependency|risk)\b"
            r"|\b(?:depend(?:s|ent|ence|ency)?|rel(?:y|ies|ying|iance)) on (?:a |one |the |an |that |this "
            r"|\w+ )?(?:single |external )?(?:vendor|provider|supplier|company|api)",
        ),
        ("deprecation", r"\bdeprecat|\bretire[sd]?\b|\bdiscontinu|\bsunset|\bend[- ]of[- ]life\b"),
        (
            "withdrawal",
            r"\btaken down\b|\btake (?:it |the model )?down\b|\bwithdraw"
            r"|\bswitch(?:ed|es)? (?:\w+ ){0,2}off\b|\bshut (?:it )?down\b|\bgoes? away\b|\bdisappear",
        ),
        (
            "repricing",
            r"\brepric|\braise[sd]? (?:its |their )?prices?\b|\bprice (?:increase|rise|hike|change)s?\b"
            r"|\bdoubles? (?:its |the |their )?prices?\b|\b(?:double|triple|raise)s? what (?:it|they) "
            r"charges?\b|\bchange[sd]? (?:its |the |their )?(?:prices?|terms)",
        ),
        ("rate limits", r"\brate[- ]limit"),
        ("terms of service", r"\bterms (?:of (?:service|use)|can change|change)\b|\bpolicy changes?\b"),
        (
            "licence",
            r"\blicen[cs](?:e|es|ed|ing)\b|\bapache\b|\bmit licen|\bcommercial use\b"
            r"|\bacceptable use polic",
        ),
        (
            "control",
            rf"\bcontrol(?:s|led|ling)? (?:over )?(?:the |{_OWN} )?(?:model|weights|system|data|stack)"
            r"\b|\bin control\b|\bown the (?:model|weights)\b|\bkeep the weights\b|\bindependen(?:t|ce)\b",
        ),
        (
            "portability",
            r"\bportab(?:le|ility)\b|\bswitch (?:to )?(?:another|a different|a second|providers?"
            r"|vendors?|models?)\b|\bexit (?:plan|strategy)\b|\bsecond provider\b|\bbackup provider\b"
            r"|\bfall ?back\b|\bmove to another\b",
        ),
        ("Souveränität", r"\bsouverän|\bsouveraineté\b|\bsoberanía\b|\bdépendance\b|\babhängigkeit\b"),
    ],
}

_COMPILED = {factor: [(label, re.compile(pattern)) for label, pattern in cues] for factor, cues in _CUES.items()}
assert tuple(_COMPILED) == FACTORS, "every factor of the rubric needs cues, in the rubric's order"


@dataclass(frozen=True)
class FactorFinding:
    """What the check found for one factor: its level and the cue labels that matched."""

    factor: str
    level: str
    cues: tuple[str, ...]

    @property
    def found(self) -> bool:
        return self.level != MISSING


def find_factors(normalised: str) -> dict[str, FactorFinding]:
    """Each factor's finding in text already passed through :func:`workbook.writing.text.normalise`."""
    findings = {}
    for factor, cues in _COMPILED.items():
        matched = tuple(label for label, pattern in cues if pattern.search(normalised))
        level = DISCUSSED if len(matched) >= 2 else MENTIONED if matched else MISSING
        findings[factor] = FactorFinding(factor, level, matched)
    return findings

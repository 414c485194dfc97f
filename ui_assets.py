"""What the web UI runs in the browser: its CSS, the page script and the JavaScript of its events.

The page script (``PAGE_HEAD``) opens the source an [n] links to (in the sources panel on wide screens, in
the message itself on a phone) and copies an answer as clean text. Event scripts keep the language choice
(``localStorage``) and switch Gradio's own locale, keep the API token in ``sessionStorage`` (this tab only),
send uploads and deletes straight to the HTTP API with the token — so files reach the server only through
the API's token check, never through Gradio's file route — and save exports as downloads made in the
browser. Leaves out: what the server does with any of it (``ui_chat``, ``ui_reports``, ``fulian_qa.api``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from ui_text import EN, ZH

TOKEN_KEY = "fqa-token"
LANG_KEY = "fqa-lang"
WIDE = 768  # px: from this width the sources panel stands beside the chat

CSS = f"""
.fqa-sources {{ font-size: 14px; line-height: 1.7; }}
.fqa-empty {{ color: var(--body-text-color-subdued); padding: 8px 2px; }}
.fqa-head {{ font-weight: 600; margin: 4px 0 8px; }}
.fqa-head.fqa-missing {{ color: #b45309; }}
.fqa-source {{ border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 10px; margin: 0 0 8px;
  scroll-margin: 80px; }}
.fqa-source summary {{ cursor: pointer; }}
.fqa-n {{ font-weight: 700; color: var(--color-accent); margin-right: 4px; }}
.fqa-where {{ font-weight: 600; }}
.fqa-snippet {{ color: var(--body-text-color-subdued); display: block; margin-top: 2px; }}
.fqa-source[open] .fqa-snippet {{ display: none; }}
.fqa-section {{ color: var(--body-text-color-subdued); font-size: 13px; margin-top: 6px; }}
.fqa-passage {{ white-space: pre-wrap; margin: 6px 0; }}
.fqa-passage mark {{ background: #fde68a; color: #111; padding: 0 2px; border-radius: 3px; }}
.fqa-meta {{ color: var(--body-text-color-subdued); font-size: 12px; }}
.fqa-flash {{ animation: fqa-flash 1.6s ease-out; }}
@keyframes fqa-flash {{ from {{ box-shadow: 0 0 0 3px #f59e0b; }} to {{ box-shadow: 0 0 0 0 transparent; }} }}
#fqa-chat blockquote {{ border-left: 4px solid #f59e0b; background: #fffbeb; color: #78350f; }}
#fqa-chat a.fqa-ref {{ text-decoration: none; font-weight: 600; color: var(--color-accent); }}
#fqa-chat .fqa-plain {{ display: none !important; }}
#fqa-chat .fqa-inline {{ margin-top: 8px; }}
#fqa-chat .fqa-inline > summary {{ cursor: pointer; font-weight: 600; }}
#fqa-chat .fqa-tools {{ margin-top: 6px; }}
#fqa-chat button.fqa-copy {{ font-size: 12px; padding: 1px 10px; border: 1px solid var(--border-color-primary);
  border-radius: 6px; background: var(--background-fill-secondary); cursor: pointer; }}
#fqa-chat .fqa-table table {{ margin: 6px 0; }}
@media (min-width: {WIDE}px) {{ #fqa-chat .fqa-inline {{ display: none; }} }}
@media (max-width: {WIDE - 1}px) {{
  #fqa-side {{ display: none !important; }}
  #fqa-chat .fqa-inline {{ display: block; }}
}}
.fqa-jobs table {{ width: 100%; border-collapse: collapse; font-size: 14px; }}
.fqa-jobs th, .fqa-jobs td {{ text-align: left; padding: 4px 6px;
  border-bottom: 1px solid var(--border-color-primary); }}
.fqa-jobs progress {{ width: 120px; }}
.fqa-jobs .fqa-bad {{ color: #b91c1c; }}
.fqa-jobs .fqa-good {{ color: #047857; }}
.fqa-note {{ padding: 6px 10px; border-radius: 6px; background: var(--background-fill-secondary); }}
.fqa-note.fqa-bad {{ color: #b91c1c; }}
#fqa-files {{ border: 1px solid var(--border-color-primary) !important; }}
#fqa-files .html-container {{ padding: 30px 10px 6px !important; }}
#fqa-files input[type=file] {{ padding: 8px 0; border: none; }}
"""

PAGE_HEAD = """<script>
(function () {
  if (window.__fqaPage) return;
  window.__fqaPage = true;
  function shown(el) { var box = el.closest('.fqa-inline') || el; return box.offsetParent !== null; }
  function open(id) {
    var el = document.getElementById(id);
    if (!el || !shown(el)) return false;
    for (var p = el; p; p = p.parentElement) { if (p.tagName === 'DETAILS') p.open = true; }
    el.scrollIntoView({block: 'center', behavior: 'smooth'});
    el.classList.remove('fqa-flash'); void el.offsetWidth; el.classList.add('fqa-flash');
    return true;
  }
  function jump(id, tries) {
    if (open(id.replace('fqa-s-', 'fqa-p-')) || open(id)) return;
    if (tries > 0) setTimeout(function () { jump(id, tries - 1); }, 150);
  }
  function copy(text, button) {
    var done = function () { var old = button.textContent; button.textContent = '\\u2713 ' + old;
      setTimeout(function () { button.textContent = old; }, 1500); };
    var fallback = function () {
      var area = document.createElement('textarea');
      area.value = text; area.style.position = 'fixed'; area.style.opacity = '0';
      document.body.appendChild(area); area.select(); document.execCommand('copy'); area.remove(); done();
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  }
  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    var ref = target.closest('a.fqa-ref');
    if (ref) { event.preventDefault(); jump(ref.getAttribute('href').slice(1), 20); return; }
    var button = target.closest('button.fqa-copy');
    if (button) {
      event.preventDefault(); event.stopPropagation();
      var plain = document.getElementById(button.id.replace('fqa-copy-', 'fqa-plain-'));
      if (plain) copy(plain.textContent, button);
    }
  }, true);
})();
</script>"""


@cache
def locale_module() -> str:
    """The Gradio front-end module that switches its locale ("" when this Gradio build has none)."""
    import gradio

    assets = Path(gradio.__file__).parent / "templates" / "frontend" / "assets"
    found = sorted(assets.glob("core-*.js"))
    return f"assets/{found[0].name}" if found else ""


def _set_locale() -> str:
    """JS statements: apply ``lang`` (zh/en) to Gradio's own words and remember it."""
    module = json.dumps(locale_module())
    return (
        f"try {{ localStorage.setItem('{LANG_KEY}', lang); }} catch (e) {{}}"
        f"if ({module}) {{ try {{ const core = await import(new URL({module}, document.baseURI).href);"
        " if (core.changeLocale) core.changeLocale(lang === 'en' ? 'en' : 'zh-CN'); } catch (e) {} }"
    )


def load_lang_js(count: int, lang_at: int, token_at: int | None = None) -> str:
    """Event JS for page load: of ``count`` inputs, ``lang_at`` becomes the saved (or ``?lang=``) language,
    which is applied, and ``token_at`` (if given) the token kept in this tab."""
    token = f" args[{token_at}] = sessionStorage.getItem('{TOKEN_KEY}') || '';" if token_at is not None else ""
    return (
        f"async (...args) => {{ args.length = {count};"
        f" let lang = new URLSearchParams(location.search).get('lang') || localStorage.getItem('{LANG_KEY}') || 'zh';"
        " lang = lang.toLowerCase().startsWith('en') ? 'en' : 'zh';"
        f" {_set_locale()} args[{lang_at}] = lang;{token} return args; }}"
    )


def set_lang_js(lang_at: int = 0) -> str:
    """Event JS on the language switch: apply and remember the language, input ``lang_at`` (inputs pass
    through)."""
    return (f"async (...args) => {{ const lang = args[{lang_at}] === 'en' ? 'en' : 'zh'; {_set_locale()}"
            " return args; }")


def save_token_js() -> str:
    """Event JS: keep the typed token in this tab's session storage (inputs: token, lang)."""
    return (
        "(token, lang) => { token = (token || '').trim();"
        f" if (token) sessionStorage.setItem('{TOKEN_KEY}', token); return [token, lang]; }}"
    )


def stored_token_js() -> str:
    """Event JS: the token kept in this tab (inputs: token, lang)."""
    return f"(token, lang) => [sessionStorage.getItem('{TOKEN_KEY}') || '', lang]"


def drop_token_js(only_if_wrong: bool) -> str:
    """Event JS: forget the kept token (always, or when the server said it is wrong; input: token state)."""
    test = "state !== 'ok'" if only_if_wrong else "true"
    return f"(state) => {{ if ({test}) sessionStorage.removeItem('{TOKEN_KEY}'); return state; }}"


def upload_js(api_root: str, max_bytes: int, max_files: int) -> str:
    """Event JS (inputs: lang, result): send the chosen files to ``POST <api>/jobs`` with the token, in
    batches under the upload bound; the result (job ids, files refused here, or why nothing was sent) as JSON."""
    too_big = f"larger than {max_bytes // (1024 * 1024)} MB (FQA_MAX_UPLOAD_MB)"
    return f"""async (lang, _result) => {{
  const out = (r) => [lang, JSON.stringify(r)];
  const input = document.querySelector('#fqa-files input[type=file]');
  const files = input ? Array.from(input.files || []) : [];
  if (!files.length) return out({{problem: 'no_files'}});
  const token = sessionStorage.getItem('{TOKEN_KEY}');
  if (!token) return out({{problem: 'need_token'}});
  const limit = {max_bytes}, most = {max_files}, local = [], batches = [];
  let batch = [], size = 0;
  for (const f of files) {{
    if (f.size > limit) {{ local.push({{name: f.name, size: f.size, reason: {json.dumps(too_big)}}}); continue; }}
    if (batch.length && (size + f.size > limit || batch.length >= most)) {{
      batches.push(batch); batch = []; size = 0;
    }}
    batch.push(f); size += f.size;
  }}
  if (batch.length) batches.push(batch);
  const jobs = [];
  for (const b of batches) {{
    const form = new FormData();
    for (const f of b) form.append('files', f, f.name);
    let res;
    try {{
      res = await fetch(new URL('{api_root}jobs', document.baseURI),
                        {{method: 'POST', headers: {{Authorization: 'Bearer ' + token}}, body: form}});
    }} catch (e) {{ return out({{problem: 'network', detail: String(e), jobs, local}}); }}
    let body = {{}};
    try {{ body = await res.json(); }} catch (e) {{}}
    if (res.status !== 202) return out({{problem: 'refused', status: res.status, detail: body.detail || res.statusText,
                                         jobs, local}});
    jobs.push(body.id);
  }}
  if (input) input.value = '';
  return out({{jobs, local}});
}}"""


def delete_js(api_root: str) -> str:
    """Event JS (inputs: report name, lang, result): ask to confirm, then ``DELETE <api>/documents/<name>``
    with the token; the result as JSON."""
    ask = json.dumps({"zh": ZH["confirm_delete"], "en": EN["confirm_delete"]}, ensure_ascii=False)
    return f"""async (name, lang, _result) => {{
  const out = (r) => [name, lang, JSON.stringify(r)];
  if (!name) return out({{problem: 'no_report'}});
  const token = sessionStorage.getItem('{TOKEN_KEY}');
  if (!token) return out({{problem: 'need_token'}});
  const ask = {ask};
  if (!window.confirm((ask[lang] || ask.zh).replace('{{name}}', name))) return out({{problem: 'cancelled'}});
  const path = name.split('/').map(encodeURIComponent).join('/');
  let res;
  try {{
    res = await fetch(new URL('{api_root}documents/' + path, document.baseURI),
                      {{method: 'DELETE', headers: {{Authorization: 'Bearer ' + token}}}});
  }} catch (e) {{ return out({{problem: 'network', detail: String(e)}}); }}
  let body = {{}};
  try {{ body = await res.json(); }} catch (e) {{}}
  if (!res.ok) return out({{problem: 'refused', status: res.status, detail: body.detail || res.statusText}});
  return out({{removed: body.removed || 0}});
}}"""


DOWNLOAD_JS = """(text, name) => {
  if (!text || !name) return;
  const type = name.endsWith('.json') ? 'application/json' : 'text/markdown';
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], {type: type + ';charset=utf-8'}));
  link.download = name;
  document.body.appendChild(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}"""

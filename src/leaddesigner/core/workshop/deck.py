"""The deck as one standalone HTML file: a card per slide, a vote form, no score.

For interviews outside the room ("would you have a sales person reach out?"):
send the file, each person opens it in a browser, answers with the buttons or
the keys 1/2/3 (arrows move between cards), and downloads their answers as a
votes CSV (``lead_id, voter, vote, role``) that LeadDesigner reads back. Nothing
is loaded from the network; printing gives one card per page.
"""
from __future__ import annotations

import json
from html import escape

from .cards import Deck
from .votes import ROLES, VOTES

__all__ = ["render_deck"]

_CSS = """
*{box-sizing:border-box}body{margin:0;font:18px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d2330}
header{padding:12px 24px;background:#1d2330;color:#fff;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header h1{font-size:20px;margin:0 16px 0 0}header label{font-size:15px}header input,header select{font:inherit;padding:4px 8px}
main{max-width:980px;margin:0 auto;padding:24px}
.card{display:none;background:#fff;border-radius:12px;padding:32px 40px;box-shadow:0 2px 8px rgba(0,0,0,.12);min-height:60vh;position:relative}
.card.on{display:block}.card h2{font-size:30px;line-height:1.3;margin:0 0 20px}
.card .origin{font-size:20px;color:#34495e;margin:-8px 0 16px}.card dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;font-size:20px;margin:0 0 20px}
.card dt{color:#5b6475}.card ol{font-size:21px;padding-left:24px}.card li{margin:6px 0}
.card .q{font-size:22px;font-weight:600;margin:24px 0 12px}
.vote{display:flex;gap:12px;flex-wrap:wrap}.vote button{font:inherit;font-size:20px;padding:12px 20px;border-radius:8px;border:2px solid #9aa3b5;background:#fff;cursor:pointer}
.vote button.sel{border-color:#1f6feb;background:#dbe8ff;font-weight:600}
.id{position:absolute;right:20px;bottom:12px;font-size:12px;color:#8a93a5}
nav{display:flex;justify-content:space-between;align-items:center;margin:16px 0;font-size:16px}nav button{font:inherit;padding:8px 16px}
.hint{color:#5b6475;font-size:14px}
@media print{header,nav,.hint{display:none}.card{display:block;page-break-after:always;box-shadow:none;min-height:0}}
"""

_JS = """
const cards=[...document.querySelectorAll('.card')];let at=0;const votes={};const names=%s;
function show(i){at=Math.max(0,Math.min(cards.length-1,i));cards.forEach((c,k)=>c.classList.toggle('on',k===at));
document.getElementById('pos').textContent=`Card ${at+1} of ${cards.length} \\u00b7 ${Object.keys(votes).length} answered`;}
function vote(k){const c=cards[at];votes[c.dataset.id]=names[k];c.querySelectorAll('.vote button').forEach((b,j)=>b.classList.toggle('sel',j===k));
show(at+1<cards.length?at+1:at);}
function q(s){s=String(s);return /[",\\n]/.test(s)?'"'+s.replace(/"/g,'""')+'"':s;}
function download(){const who=document.getElementById('voter').value.trim();if(!who){alert('Type your name first.');return;}
const role=document.getElementById('role').value;let csv='lead_id,voter,vote,role\\n';
for(const c of cards){const v=votes[c.dataset.id];if(v)csv+=[c.dataset.id,who,v,role].map(q).join(',')+'\\n';}
const a=document.createElement('a');a.href=URL.createObjectURL(new Blob([csv],{type:'text/csv'}));
a.download=(who.replace(/[^\\w-]+/g,'_')||'votes')+'.votes.csv';a.click();}
document.addEventListener('keydown',e=>{if(e.target.tagName==='INPUT')return;
if(e.key==='ArrowRight'||e.key===' ')show(at+1);else if(e.key==='ArrowLeft')show(at-1);
else if(['1','2','3'].includes(e.key))vote(+e.key-1);});
cards.forEach(c=>c.querySelectorAll('.vote button').forEach((b,j)=>b.addEventListener('click',()=>{at=cards.indexOf(c);vote(j);})));
show(0);
"""


def render_deck(deck: Deck, *, title: str = "Would you call this lead?", model_name: str = "") -> str:
    """The deck as standalone HTML (UTF-8 text); the cards carry their story and lead id, never the score."""
    slides = []
    for i, c in enumerate(deck.cards, 1):
        s = c.story
        facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in s.facts)
        events = "".join(f"<li>{escape(e)}</li>" for e in s.events) or "<li>No activity recorded before it was scored.</li>"
        buttons = "".join(f"<button type='button'>{k}&nbsp;&nbsp;{escape(v.capitalize())}</button>" for k, v in enumerate(VOTES, 1))
        slides.append(
            f"<section class='card' data-id='{escape(c.lead_id, quote=True)}'><h2>{escape(s.headline)}</h2>"
            + (f"<p class='origin'>{escape(s.origin)}</p>" if s.origin else "") +
            f"<dl>{facts}</dl><ol>{events}</ol>"
            "<div class='q'>Should a sales person reach out to this lead now?</div>"
            f"<div class='vote'>{buttons}</div><div class='id'>lead {escape(c.lead_id)} \u00b7 card {i}</div></section>")
    roles = "".join(f"<option>{escape(r)}</option>" for r in (*ROLES, "other"))
    head = escape(title) + (f" \u2013 {escape(model_name)}" if model_name else "")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{head}</title><style>{_CSS}</style></head>"
        f"<body><header><h1>{head}</h1><label>Your name <input id='voter' autocomplete='name'></label>"
        f"<label>Role <select id='role'>{roles}</select></label><button type='button' onclick='download()'>Download my answers (CSV)</button></header>"
        "<main><p class='hint'>Read each lead as it was when it would have been scored and answer: reach out now, not yet, or never. "
        "Keys: 1, 2, 3 to answer, arrows to move. When done, download your answers and send the file back.</p>"
        f"<nav><button type='button' onclick='show(at-1)'>\u2190 Previous</button><span id='pos'></span>"
        f"<button type='button' onclick='show(at+1)'>Next \u2192</button></nav>{''.join(slides)}</main>"
        f"<script>{_JS % json.dumps(list(VOTES))}</script></body></html>"
    )

/// The status page: one HTML document with its style and script inline and no external
/// assets; the script polls `status.json` every two seconds and draws the lag chart as SVG.
/// Every value from the report is put in with `textContent` (never as HTML): client ids and
/// site names come from the clients table and from sons' reports.
enum StatusPage {
    static func html(site: String, instance: String, jsonPath: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
        <title>Arbor status: \(escape(site))</title>
        <style>\(style)</style></head>
        <body data-json="\(escape(jsonPath))">
        <header><h1>Arbor site <span id="site">\(escape(site))</span></h1>
        <div id="summary" class="muted">instance \(escape(instance)) · loading…</div></header>
        <main>
        <section><h2>Father</h2><div id="father" class="muted">–</div></section>
        <section class="chart"><h2>Lag</h2><svg id="chart" viewBox="0 0 640 160" role="img" aria-label="lag in sequences per link"></svg><div id="legend"></div></section>
        <section class="wide"><h2>Sons</h2><table id="sons"></table></section>
        <section class="wide"><h2>Tree</h2><pre id="tree"></pre></section>
        <section class="wide"><h2>Server processes</h2><table id="servers"></table></section>
        <section class="wide"><h2>Connected clients</h2><table id="connected"></table></section>
        <section class="wide"><h2>Clients table</h2><table id="clients"></table></section>
        <section class="wide"><h2>Recent errors</h2><table id="errors"></table></section>
        </main>
        <footer id="updated" class="muted"></footer>
        <script>\(script)</script>
        </body></html>
        """
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static let style = """
        body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
        header{background:#1d3b2a;color:#fff;padding:12px 20px}h1{margin:0;font-size:20px}header .muted{color:#cfe3d6}
        main{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px;padding:12px 20px}
        section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:10px 14px}section.wide{grid-column:1/-1}section.chart{grid-column:span 2}
        h2{font-size:15px;margin:0 0 8px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eef0f2;white-space:nowrap}
        th{font-weight:600;color:#52606d}.muted{color:#6b7785}.ok{color:#137333;font-weight:600}.bad{color:#b3261e;font-weight:600}
        pre{margin:0;font:13px/1.5 ui-monospace,Menlo,monospace}footer{padding:0 20px 16px}#legend span{margin-right:14px}
        td.msg{white-space:normal;max-width:640px}svg{width:100%;height:auto;max-height:220px;background:#fbfcfd;border:1px solid #eef0f2}
        """

    static let script = #"""
        const colors=['#1a73e8','#d93025','#188038','#e37400','#9334e6','#12b5cb'];
        function el(tag,text,cls){const e=document.createElement(tag);if(text!==undefined&&text!==null)e.textContent=String(text);if(cls)e.className=cls;return e;}
        function secs(v){return v===null||v===undefined?'–':(v<90?v.toFixed(1)+' s':(v/60).toFixed(1)+' min');}
        function num(v){return v===null||v===undefined?'–':String(v);}
        function yes(v,a,b){return el('td',v?(a||'yes'):(b||'no'),v?'ok':'bad');}
        function table(id,head,rows,empty){const t=document.getElementById(id);t.replaceChildren();const tr=el('tr');head.forEach(h=>tr.appendChild(el('th',h)));t.appendChild(tr);
          if(rows.length===0){const r=el('tr');const c=el('td',empty,'muted');c.colSpan=head.length;r.appendChild(c);t.appendChild(r);}
          rows.forEach(cells=>{const r=el('tr');cells.forEach(c=>r.appendChild(c instanceof Node?c:el('td',c)));t.appendChild(r);});}
        function treeLines(node,prefix,lines){node.sons.forEach((s,i)=>{const last=i===node.sons.length-1;
          lines.push(prefix+(last?'└─ ':'├─ ')+s.site+(s.clientId&&s.clientId!==s.site?' ('+s.clientId+')':'')+'  '+(s.connected?'connected':'NOT CONNECTED')+'  seq '+s.sequence+'  lag '+num(s.lagSequences)+' seq / '+secs(s.lagSeconds)+'  backlog '+num(s.uploadBacklog));
          treeLines(s,prefix+(last?'   ':'│  '),lines);});}
        function chart(series){const svg=document.getElementById('chart');const ns='http://www.w3.org/2000/svg';svg.replaceChildren();
          const legend=document.getElementById('legend');legend.replaceChildren();const W=640,H=160,L=40,B=20,span=300;
          let max=1;series.forEach(s=>s.points.forEach(p=>{if(p.sequences>max)max=p.sequences;}));
          const axis=document.createElementNS(ns,'text');axis.setAttribute('x',4);axis.setAttribute('y',14);axis.setAttribute('font-size','12');axis.textContent=max+' seq';svg.appendChild(axis);
          const zero=document.createElementNS(ns,'text');zero.setAttribute('x',4);zero.setAttribute('y',H-B);zero.setAttribute('font-size','12');zero.textContent='0';svg.appendChild(zero);
          const foot=document.createElementNS(ns,'text');foot.setAttribute('x',W-120);foot.setAttribute('y',H-4);foot.setAttribute('font-size','12');foot.textContent='last '+span/60+' min';svg.appendChild(foot);
          series.forEach((s,i)=>{const color=colors[i%colors.length];
            const pts=s.points.filter(p=>p.secondsAgo<=span).map(p=>[L+(W-L-8)*(1-p.secondsAgo/span),(H-B)-(H-B-18)*p.sequences/max]);
            if(pts.length>0){const line=document.createElementNS(ns,'polyline');line.setAttribute('fill','none');line.setAttribute('stroke',color);line.setAttribute('stroke-width','2');
              line.setAttribute('points',pts.map(p=>p[0].toFixed(1)+','+p[1].toFixed(1)).join(' '));svg.appendChild(line);}
            const last=s.points[s.points.length-1];const item=el('span',s.link+': '+(last?last.sequences+' seq, '+secs(last.seconds):'–'));item.style.color=color;legend.appendChild(item);});
          if(series.length===0)legend.appendChild(el('span','no link has lag figures yet','muted'));}
        function render(r){
          document.getElementById('site').textContent=r.site;
          document.getElementById('summary').textContent='instance '+r.instance+' · schema '+r.schemaName+' · sequence '+r.sequence+' · '+(r.connectedToCenter?'connected to center':'NOT connected to center')+' · '+(r.isMaster?'this process is the master':'this process is not the master')+' · '+r.version;
          const f=document.getElementById('father');f.replaceChildren();
          if(!r.father){f.appendChild(el('span',r.site==='center'?'none: this is the center':'no father link','muted'));}
          else{const p=r.father;[['state',p.state,p.connected?'ok':'bad'],['father',p.servers.join(', ')||'–'],['as client',p.clientId||'–'],['last contact',secs(p.lastContactSecondsAgo)+' ago'],
            ['applied through',num(p.appliedSequence)],['lag',num(p.lagSequences)+' sequences, '+secs(p.lagSeconds)],['upload backlog',num(p.uploadBacklog)+' sequences']].forEach(([k,v,c])=>{
            const d=el('div');d.appendChild(el('span',k+': ','muted'));d.appendChild(el('span',v,c));f.appendChild(d);});}
          table('sons',['son','site','connected','last contact','lag (seq)','lag','upload backlog','enabled'],r.sons.map(s=>[s.clientId,s.site||'–',yes(s.connected),secs(s.lastContactSecondsAgo)+' ago',num(s.lagSequences),secs(s.lagSeconds),num(s.uploadBacklog),yes(s.enabled)]),'no client of the son role');
          const lines=[r.tree.site+'  seq '+r.tree.sequence];treeLines(r.tree,'',lines);document.getElementById('tree').textContent=lines.join('\n');
          table('servers',['url','edges','master','live','last seen'],r.servers.map(s=>[s.url,s.edges,yes(s.isMaster),yes(s.isLive,'live','stopped'),secs(s.lastSeenSecondsAgo)+' ago']),'no process has announced itself');
          table('connected',['client','role','slice','registered','open fetches','last fetch','lag (seq)','lag'],r.connectedClients.map(c=>[c.clientId,c.role,c.slice,c.registered?'yes':'no',c.openFetches,c.openFetches>0?'waiting now (since '+secs(c.lastFetchSecondsAgo)+')':secs(c.lastFetchSecondsAgo)+' ago',num(c.lagSequences),secs(c.lagSeconds)]),'no client fetched recently');
          table('clients',['client','bit','role','enabled','secret','last seen'],r.clients.map(c=>[c.clientId,c.bit,c.role,yes(c.enabled),c.hasSecret?'set':'none',c.lastSeenSecondsAgo===null||c.lastSeenSecondsAgo===undefined?'not since start':secs(c.lastSeenSecondsAgo)+' ago']),'the clients table is empty');
          table('errors',['when','where','code','message','times'],r.recentErrors.slice().reverse().map(e=>[secs(e.secondsAgo)+' ago',e.source,e.code,el('td',e.message,'msg'),e.count]),'none');
          chart(r.lagHistory);
          document.getElementById('updated').textContent='updated '+new Date(r.generatedAtMicroseconds/1000).toISOString();}
        async function poll(){try{const a=await fetch(document.body.dataset.json,{cache:'no-store',credentials:'same-origin'});
          if(!a.ok){const e=await a.json().catch(()=>({error:'HTTP '+a.status,message:''}));document.getElementById('summary').textContent=e.error+': '+e.message;}
          else{render(await a.json());}}catch(x){document.getElementById('summary').textContent='cannot reach the site: '+x;}
          setTimeout(poll,2000);}
        poll();
        """#
}

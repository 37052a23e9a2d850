/// A flame graph of folded stacks as one self-contained SVG: no external scripts, styles or
/// fonts. Each frame is a <rect> in a <g> whose <title> is the tooltip (frame, samples, share,
/// stage); the colour is the stage of the frame's stack by `StageRules`. A click on a frame
/// zooms to it (a tiny inline script), a click on the background resets.
public enum FlameGraph {
    public static let width = 1200.0
    static let rowHeight = 16.0
    static let top = 40.0

    /// One frame of the merged tree.
    final class Node {
        let name: String
        var count = 0
        var children: [String: Node] = [:]
        var order: [String] = []
        /// Samples whose stack ends here, by stage (for the colour).
        var stages: [Stage: Int] = [:]
        init(_ name: String) { self.name = name }

        func child(_ n: String) -> Node {
            if let c = children[n] { return c }
            let c = Node(n)
            children[n] = c
            order.append(n)
            return c
        }

        /// The stage covering most samples under this frame.
        func dominantStage() -> Stage {
            var all: [Stage: Int] = [:]
            func walk(_ n: Node) {
                for (s, c) in n.stages { all[s, default: 0] += c }
                for c in n.children.values { walk(c) }
            }
            walk(self)
            return all.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? .other
        }
    }

    public static func render(_ folded: FoldedStacks, title: String, rules: StageRules = .standard) -> String {
        let root = Node("all")
        for (stack, n) in folded.counts {
            var node = root
            node.count += n
            for frame in stack.split(separator: ";") {
                node = node.child(String(frame))
                node.count += n
            }
            node.stages[rules.stage(folded: stack), default: 0] += n
        }
        var depth = 0
        func measure(_ n: Node, _ d: Int) {
            depth = max(depth, d)
            for c in n.children.values { measure(c, d + 1) }
        }
        measure(root, 0)
        let legendHeight = 24.0
        let height = top + Double(depth + 1) * rowHeight + legendHeight + 10
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(fmt(width))" height="\(fmt(height))" viewBox="0 0 \(fmt(width)) \(fmt(height))" font-family="monospace" font-size="11">
            <style>g.f rect{stroke:#fff;stroke-width:0.5} g.f:hover rect{stroke:#000} text.l{pointer-events:none}</style>
            <rect x="0" y="0" width="\(fmt(width))" height="\(fmt(height))" fill="#fafafa" id="bg"/>
            <text x="10" y="20" font-size="14">\(escape(title))</text>
            <text x="10" y="34" fill="#555">\(root.count) samples; click a frame to zoom, the background to reset</text>

            """
        let total = max(root.count, 1)
        // Rows from the bottom (root) up, as flame graphs are drawn.
        func y(_ d: Int) -> Double { top + Double(depth - d) * rowHeight }
        func draw(_ n: Node, x: Double, d: Int) {
            let w = width * Double(n.count) / Double(total)
            let stage = n === root ? Stage.other : n.dominantStage()
            let share = Double(n.count) / Double(total) * 100
            let tip = "\(n.name) — \(n.count) samples (\(fmt(share))%), \(stage.label)"
            svg +=
                "<g class=\"f\" data-x=\"\(fmt(x))\" data-w=\"\(fmt(w))\"><title>\(escape(tip))</title><rect x=\"\(fmt(x))\" y=\"\(fmt(y(d)))\" width=\"\(fmt(w))\" height=\"\(fmt(rowHeight - 1))\" fill=\"\(stage.color)\"/>"
            let chars = Int(w / 7)
            if chars >= 3 {
                let label = n.name.count <= chars ? n.name : String(n.name.prefix(chars - 2)) + ".."
                svg += "<text class=\"l\" x=\"\(fmt(x + 3))\" y=\"\(fmt(y(d) + rowHeight - 4))\">\(escape(label))</text>"
            }
            svg += "</g>\n"
            var cx = x
            for name in n.order.sorted() {
                let c = n.children[name]!
                draw(c, x: cx, d: d + 1)
                cx += width * Double(c.count) / Double(total)
            }
        }
        draw(root, x: 0, d: 0)
        // Legend: the stages present.
        var lx = 10.0
        let ly = height - legendHeight
        let present = Set(folded.counts.keys.map { rules.stage(folded: $0) })
        for s in Stage.allCases where present.contains(s) {
            svg +=
                "<rect x=\"\(fmt(lx))\" y=\"\(fmt(ly))\" width=\"12\" height=\"12\" fill=\"\(s.color)\"/><text x=\"\(fmt(lx + 16))\" y=\"\(fmt(ly + 10))\">\(escape(s.label))</text>\n"
            lx += 16 + Double(s.label.count) * 7 + 14
        }
        svg += "<script><![CDATA[\n\(zoomScript)\n]]></script>\n</svg>\n"
        return svg
    }

    /// Click-zoom: the clicked frame fills the width, frames outside it are hidden, text
    /// labels are shortened to fit. No network, no libraries.
    static let zoomScript = """
        (function(){var W=\(fmt(width));var gs=[].slice.call(document.querySelectorAll('g.f'));
        function zoom(x0,w0){gs.forEach(function(g){var x=+g.getAttribute('data-x'),w=+g.getAttribute('data-w');
        var r=g.querySelector('rect'),t=g.querySelector('text');var vis=x>=x0-1e-6&&x+w<=x0+w0+1e-6;
        g.style.display=vis?'':'none';if(!vis)return;var nx=(x-x0)*W/w0,nw=w*W/w0;r.setAttribute('x',nx);r.setAttribute('width',nw);
        if(t){t.setAttribute('x',nx+3);var n=g.querySelector('title').textContent.split(' — ')[0];var c=Math.floor(nw/7);
        t.textContent=c<3?'':(n.length<=c?n:n.slice(0,c-2)+'..');}});}
        gs.forEach(function(g){g.addEventListener('click',function(e){e.stopPropagation();zoom(+g.getAttribute('data-x'),+g.getAttribute('data-w'));});});
        document.getElementById('bg').addEventListener('click',function(){zoom(0,W);});})();
        """

    static func fmt(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func escape(_ s: String) -> String {
        var o = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&apos;"
            default:
                // Control characters are not allowed in XML 1.0.
                if c.value < 0x20 && c != "\t" && c != "\n" { o += "?" } else { o.unicodeScalars.append(c) }
            }
        }
        return o
    }
}

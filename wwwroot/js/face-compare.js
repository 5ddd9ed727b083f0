// Face comparison on the model page: two images chosen by the user are decoded in canvases, turned into the
// input the exported model expects ([1, 3, 112, 112] float32, RGB, (x / 255 - 0.5) / 0.5; see OnnxExporter) and run
// through the model's ONNX file by onnxruntime-web (global `ort`, lib/onnxruntime-web/ort.wasm.min.js). Nothing is
// uploaded: only the model file is fetched. The section's data attributes say where the model is and, when the model
// has a pair-set result, its squared-distance threshold.
(function () {
  "use strict";

  const size = 112;

  function start() {
    const section = document.getElementById("face-compare");
    if (!section) return;
    const result = document.getElementById("face-compare-result");
    const button = document.getElementById("face-compare-run");
    const faces = { a: null, b: null };
    let session = null;

    function show(state, html) {
      result.setAttribute("data-state", state);
      result.innerHTML = html;
    }

    function escape(text) {
      const span = document.createElement("span");
      span.textContent = String(text);
      return span.innerHTML;
    }

    if (typeof ort === "undefined") {
      button.disabled = true;
      show("error", '<span class="error">onnxruntime-web did not load (lib/onnxruntime-web/ort.wasm.min.js), so the comparison cannot run here.</span>');
      return;
    }
    // The wasm files lie next to ort.wasm.min.js; an absolute address keeps ort from resolving it against its own script.
    ort.env.wasm.wasmPaths = new URL("lib/onnxruntime-web/", document.baseURI).href;
    // Threads need cross-origin isolation, which the portal does not ask for; one thread is plenty for two faces.
    ort.env.wasm.numThreads = 1;

    async function decode(file, which) {
      const note = document.getElementById("face-" + which + "-note");
      const canvas = document.getElementById("face-" + which + "-preview");
      const bitmap = await createImageBitmap(file);
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.imageSmoothingQuality = "high";
      context.clearRect(0, 0, size, size);
      context.drawImage(bitmap, 0, 0, size, size);
      const resized = bitmap.width !== size || bitmap.height !== size;
      note.textContent = resized
        ? "resized from " + bitmap.width + "×" + bitmap.height + " to 112×112 (a resize does not align the face)"
        : "112×112, used as it is";
      bitmap.close();
      const pixels = context.getImageData(0, 0, size, size).data;
      const input = new Float32Array(3 * size * size);
      const plane = size * size;
      for (let i = 0; i < plane; i++) {
        for (let c = 0; c < 3; c++) input[c * plane + i] = (pixels[i * 4 + c] / 255 - 0.5) / 0.5;
      }
      return input;
    }

    async function chosen(which) {
      const input = document.getElementById("face-" + which);
      faces[which] = null;
      if (!input.files || input.files.length === 0) return;
      try {
        faces[which] = await decode(input.files[0], which);
        show("idle", "");
      } catch (e) {
        show("error", '<span class="error">Face ' + which.toUpperCase() + ": " + escape(input.files[0].name) + " is not an image this browser can decode.</span>");
      }
    }

    async function load() {
      if (session) return session;
      const url = section.getAttribute("data-onnx-url");
      show("loading", "Downloading the model and starting onnxruntime-web…");
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) throw new Error("the model file " + url + " answered HTTP " + response.status);
      const bytes = new Uint8Array(await response.arrayBuffer());
      session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
      return session;
    }

    async function embed(model, pixels) {
      const feeds = {};
      feeds[model.inputNames[0]] = new ort.Tensor("float32", pixels, [1, 3, size, size]);
      const outputs = await model.run(feeds);
      const embedding = Float32Array.from(outputs[model.outputNames[0]].data);
      let norm = 0;
      for (const v of embedding) norm += v * v;
      norm = Math.sqrt(norm) || 1;
      return embedding.map(function (v) { return v / norm; });
    }

    async function compare() {
      if (!faces.a || !faces.b) {
        show("error", '<span class="error">Choose both faces first (' + (!faces.a ? "face A" : "face B") + " is missing).</span>");
        return;
      }
      button.disabled = true;
      try {
        const model = await load();
        show("running", "Computing both embeddings…");
        const started = performance.now();
        const a = await embed(model, faces.a);
        const b = await embed(model, faces.b);
        const milliseconds = performance.now() - started;
        let cosine = 0;
        let distance = 0;
        for (let i = 0; i < a.length; i++) {
          cosine += a[i] * b[i];
          distance += (a[i] - b[i]) * (a[i] - b[i]);
        }
        let verdict = "";
        const threshold = parseFloat(section.getAttribute("data-threshold"));
        if (!isNaN(threshold)) {
          const same = distance < threshold;
          verdict = '<div class="verdict ' + (same ? "same" : "different") + '">' +
            (same ? "Same person" : "Different people") + " by this model's threshold " + threshold.toFixed(3) +
            " (" + escape(section.getAttribute("data-threshold-source")) + ")</div>";
        }
        show("done",
          '<div class="scores"><span>cosine similarity <strong data-cosine="' + cosine + '">' + cosine.toFixed(4) + "</strong></span>" +
          '<span>squared distance <strong data-distance="' + distance + '">' + distance.toFixed(4) + "</strong></span></div>" + verdict +
          '<div class="muted small">' + a.length + "-float embeddings, computed in " + milliseconds.toFixed(0) + " ms in this browser.</div>");
      } catch (e) {
        show("error", '<span class="error">The comparison failed: ' + escape(e && e.message ? e.message : e) + "</span>");
      } finally {
        button.disabled = false;
      }
    }

    document.getElementById("face-a").addEventListener("change", function () { chosen("a"); });
    document.getElementById("face-b").addEventListener("change", function () { chosen("b"); });
    button.addEventListener("click", compare);
    section.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

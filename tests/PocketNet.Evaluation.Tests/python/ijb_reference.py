"""Oracle for the IJB 1:1 tests: the arithmetic of eval_ijbc.py redone with numpy alone.

scikit-learn is not installed here, so roc_curve (with its default drop_intermediate=True) and auc are
re-implemented below following scikit-learn's algorithm; the template pooling and the TAR-at-FAR table follow
eval_ijbc.py (image2template_feature, verification, the min(zip(abs(fpr - x), range)) rule on the flipped curve).

usage: ijb_reference.py FOLDER
FOLDER holds raw little-endian arrays written by the C# test and receives result.json:
  meta.json            {"images", "dim", "pairs"}
  feats.f32            [images x dim] image features (emb + emb of flip)
  tid.i32, mid.i32     template and media id per image
  det.f32              detector score per image
  p1.i32, p2.i32       template pairs
  label.u8             pair labels (0/1)
  scores.f32           the C# pair scores: the ROC is computed on exactly these, so ties are the same
"""
import json
import os
import sys

import numpy as np


def roc_curve(y_true, y_score):
    # scikit-learn's _binary_clf_curve: sort by decreasing score, one point per distinct score.
    order = np.argsort(y_score, kind="mergesort")[::-1]
    y_score = y_score[order]
    y_true = y_true[order]
    distinct = np.where(np.diff(y_score))[0]
    threshold_idxs = np.r_[distinct, y_true.size - 1]
    tps = np.cumsum(y_true, dtype=np.int64)[threshold_idxs]
    fps = 1 + threshold_idxs - tps
    thresholds = y_score[threshold_idxs]
    # drop_intermediate=True
    if len(fps) > 2:
        optimal = np.where(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])[0]
        fps, tps, thresholds = fps[optimal], tps[optimal], thresholds[optimal]
    tps = np.r_[0, tps]
    fps = np.r_[0, fps]
    thresholds = np.r_[thresholds[0] + 1, thresholds]
    return fps / fps[-1], tps / tps[-1], thresholds


def auc(x, y):
    return float(np.trapz(y, x))


def image2template_feature(img_feats, templates, medias):
    unique_templates = np.unique(templates)
    template_feats = np.zeros((len(unique_templates), img_feats.shape[1]))
    for count_template, uqt in enumerate(unique_templates):
        (ind_t,) = np.where(templates == uqt)
        face_norm_feats = img_feats[ind_t]
        face_medias = medias[ind_t]
        unique_medias, unique_media_counts = np.unique(face_medias, return_counts=True)
        media_norm_feats = []
        for u, ct in zip(unique_medias, unique_media_counts):
            (ind_m,) = np.where(face_medias == u)
            if ct == 1:
                media_norm_feats += [face_norm_feats[ind_m]]
            else:
                media_norm_feats += [np.mean(face_norm_feats[ind_m], axis=0, keepdims=True)]
        media_norm_feats = np.array(media_norm_feats)
        template_feats[count_template] = np.sum(media_norm_feats, axis=0)
    norms = np.sqrt(np.sum(template_feats ** 2, -1, keepdims=True))
    norms[norms == 0] = 1  # sklearn.preprocessing.normalize leaves zero rows alone
    return template_feats / norms, unique_templates


def main(folder):
    meta = json.load(open(os.path.join(folder, "meta.json")))
    n, dim = meta["images"], meta["dim"]
    load = lambda name, dtype: np.fromfile(os.path.join(folder, name), dtype=dtype)
    feats = load("feats.f32", "<f4").reshape(n, dim)
    tid, mid, det = load("tid.i32", "<i4"), load("mid.i32", "<i4"), load("det.f32", "<f4")
    p1, p2, label = load("p1.i32", "<i4"), load("p2.i32", "<i4"), load("label.u8", "u1").astype(np.int64)
    csharp_scores = load("scores.f32", "<f4").astype(np.float64)

    # eval_ijbc.py with use_norm_score=True (no per-image normalisation) and use_detector_score=True.
    weighted = feats * det[:, np.newaxis]
    template_norm_feats, unique_templates = image2template_feature(weighted, tid, mid)
    template2id = np.zeros((max(unique_templates) + 1, 1), dtype=int)
    for count_template, uqt in enumerate(unique_templates):
        template2id[uqt] = count_template
    feat1 = template_norm_feats[template2id[p1]]
    feat2 = template_norm_feats[template2id[p2]]
    pair_scores = np.sum(feat1 * feat2, -1).flatten()

    fpr, tpr, thresholds = roc_curve(label, csharp_scores)
    roc_auc = auc(fpr, tpr)
    fpr_f = np.flipud(fpr)
    tpr_f = np.flipud(tpr)
    x_labels = [10 ** -6, 10 ** -5, 10 ** -4, 10 ** -3, 10 ** -2, 10 ** -1]
    tars = []
    for x in x_labels:
        _, min_index = min(list(zip(abs(fpr_f - x), range(len(fpr_f)))))
        tars.append(float(tpr_f[min_index]))

    json.dump({
        "pair_scores": pair_scores.tolist(),
        "template_ids": unique_templates.tolist(),
        "fpr": fpr.tolist(),
        "tpr": tpr.tolist(),
        "thresholds": thresholds.tolist(),
        "auc": roc_auc,
        "tar_at_far": tars,
    }, open(os.path.join(folder, "result.json"), "w"))


if __name__ == "__main__":
    main(sys.argv[1])

using System.Numerics;

namespace PocketNet.Data.Ijb;

/// <summary>
/// One face of an IJB-B/C set: its loose-crop image (name as listed, full path), template and media ids
/// (<c>&lt;name&gt;_face_tid_mid.txt</c>), five landmarks in the loose crop (left eye, right eye, nose, left and
/// right mouth corner) and the detector score (<c>&lt;name&gt;_name_5pts_score.txt</c>). <see cref="Index"/> is its
/// row in the face list (the row order of the template/media file, which the protocols keep).
/// </summary>
public sealed record IjbFace(int Index, string ImageName, string ImagePath, int TemplateId, int MediaId, Vector2[] Landmarks, float DetectorScore);

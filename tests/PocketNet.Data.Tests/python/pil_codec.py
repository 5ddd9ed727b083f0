"""Cross-checks against PIL (python3-pil, libjpeg-turbo underneath) when it is installed.
  pil_codec.py probe                         -> prints PIL or NO_PIL
  pil_codec.py decode IMAGE OUT_RAW           -> PIL's RGB decode of IMAGE as raw HWC bytes; prints "W H"
  pil_codec.py encode RAW W H C QUALITY OUT   -> PIL JPEG (4:2:0) of raw HWC bytes"""
import sys

try:
    from PIL import Image
except ImportError:
    print("NO_PIL")
    sys.exit(0)

command = sys.argv[1]
if command == "probe":
    print("PIL")
elif command == "decode":
    image = Image.open(sys.argv[2])
    image.draft(None, None)
    image = image.convert("RGB")
    open(sys.argv[3], "wb").write(image.tobytes())
    print(image.width, image.height)
elif command == "encode":
    raw, w, h, c, quality, out = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
    mode = "RGB" if c == 3 else "L"
    Image.frombytes(mode, (w, h), open(raw, "rb").read()).save(out, "JPEG", quality=quality, subsampling=2)
    print("ok")

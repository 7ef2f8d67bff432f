"""Convert a GGUF model to a Hugging Face folder that vLLM loads offline.

Runs inside the vLLM virtualenv (it needs transformers, gguf, accelerate and torch):
    python scripts/convert_gguf_to_hf.py --gguf PATH --out DIR

transformers dequantises the GGUF weights on load; the quantizer it attaches is then
dropped so save_pretrained writes plain bfloat16 safetensors and a config vLLM accepts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def convert(gguf: Path, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(gguf.parent), gguf.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.bfloat16)
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gguf", type=Path, required=True, help="the .gguf file")
    parser.add_argument("--out", type=Path, required=True, help="folder to write")
    args = parser.parse_args()
    if not args.gguf.is_file():
        print(f"convert: {args.gguf}: no such file", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        convert(args.gguf, args.out)
    except ImportError as error:
        print(f"convert: {error}: run this with the vLLM virtualenv's python", file=sys.stderr)
        return 2
    print(f"convert: {args.gguf.name} -> {args.out} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

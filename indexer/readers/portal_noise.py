"""Lines a legal portal adds around a document: banners, log-in notices, translation and
copyright notes, toolbars. Dropped by the web readers (Markdown, HTML) only; a plan's own
text never reaches these patterns since each needs the portal's wording."""

from __future__ import annotations

import re

_NOISE = re.compile(
    r"^(?:"
    r"Để sử dụng (?:toàn bộ|đầy đủ) (?:tiện ích|tính năng)"
    r"|Bạn (?:chưa|Chưa) (?:đăng nhập|Đăng Nhập)"
    r"|Vui lòng đăng nhập"
    r"|Đăng nhập để (?:xem|tải)"
    r"|Văn bản này (?:đang|chưa) (?:được )?cập nhật"
    r"|(?:Bản|Văn bản) dịch (?:này )?(?:là|thuộc|chỉ mang tính|do)"
    r"|Bản quyền (?:thuộc|©)"
    r"|Copyright\b|©"
    r"|(?:Tải|Download) (?:văn bản|về|file)\b"
    r"|Lưu trữ\s+Ghi chú"
    r"|(?:Facebook|Email|In|Chia sẻ)(?:\s*[|·]\s*(?:Facebook|Email|In|Chia sẻ|Zalo))+$"
    r"|Theo dõi hiệu lực"
    r"|Mục lục văn bản$"
    r"|Hiệu lực: (?:Còn|Hết|Chưa)"
    r")",
    re.IGNORECASE,
)


def is_portal_noise(line: str) -> bool:
    return bool(_NOISE.match(line.strip()))

"""Korea Post's official open API (data.go.kr, 우정사업본부 국내우편물 종적조회 서비스): the scan
history of a domestic registered item or parcel (13-digit 등기번호) as XML. Polling only."""
from tracking.carriers.koreapost.adapter import KoreaPostAdapter

__all__ = ["KoreaPostAdapter"]

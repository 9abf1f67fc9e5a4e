"""Safe, unique file names for units and leaders."""

from __future__ import annotations

from pipeline.names import file_names, safe_name


def test_only_unsafe_characters_are_replaced() -> None:
    assert safe_name("县交通运输局") == "县交通运输局"
    assert safe_name('a/b\\c:d*e?f"g<h>i|j') == "a_b_c_d_e_f_g_h_i_j"
    assert safe_name("泷泊镇\r\n人民政府\x00") == "泷泊镇__人民政府_"
    assert safe_name("..") == "_.."
    assert len(safe_name("A" * 300)) == 100
    assert len(safe_name("局" * 300).encode("utf-8")) <= 200


def test_collisions_get_a_hash_suffix() -> None:
    names = file_names(["县/水利局", "县:水利局", "县交通运输局"])
    assert names["县交通运输局"] == "县交通运输局"
    assert names["县/水利局"] != names["县:水利局"]
    assert names["县/水利局"].startswith("县_水利局-")
    assert len(set(names.values())) == 3

"""Category labels: capitalised as shown, or as the configuration says (population.<variable>.<category>.label)."""


def test_a_category_shows_with_a_capital_or_its_own_label(project, capsys):
    project.edit("municipalities/teststad.yaml", "    Noord: 600\n", "    Noord: {count: 600, label: Noordkant}\n")
    project.edit("municipalities/teststad.yaml", "    18-39: 500\n", "    jong: 500\n")
    project.edit("municipalities/teststad.yaml", "    40+: 500\n", "    oud: {count: 500}\n")
    project.write("content/_shared/doe-mee.md", "---\ntitle: Doe mee\nnav_order: 40\nform: aanmelden\n---\nMeld u aan.\n")
    code, err = project.run(capsys=capsys)
    assert code == 0, err
    from panelsite.config.municipality import load_municipalities

    m = load_municipalities(project.root)["teststad"]
    assert m.population.variables["wijk"] == {"Noord": 600, "Zuid": 400}  # the counts, for weighting
    assert m.population.labels["wijk"] == {"Noord": "Noordkant", "Zuid": "Zuid"}
    assert m.population.labels["leeftijd"] == {"jong": "Jong", "oud": "Oud"}


def test_a_wrong_category_entry_is_named_with_its_line(project, capsys):
    project.edit("municipalities/teststad.yaml", "    Noord: 600\n", "    Noord: {count: 600, lable: Noordkant}\n")
    code, err = project.run("check", capsys=capsys)
    assert code == 2
    assert "municipalities/teststad.yaml:30: population.wijk.Noord: unknown key lable (expected count and label)" in err

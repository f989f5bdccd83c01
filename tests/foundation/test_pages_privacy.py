"""The privacy statement reads as a Dutch sentence whatever the controller is called."""


def test_controller_sentence_needs_no_article(project, capsys):
    # No article fits every name: "het College …", "de gemeente …", "Gemeente X".
    project.edit("municipalities/teststad.yaml", "controller: College van B&W van Teststad",
                 "controller: College van burgemeester en wethouders van Teststad")
    code, err = project.run("build", capsys=capsys)
    assert code == 0, err
    page = (project.out / "teststad" / "privacy" / "index.html").read_text(encoding="utf-8")
    assert ("<p>Verantwoordelijk voor uw gegevens in Teststad Panel is: "
            "College van burgemeester en wethouders van Teststad.") in page
    assert "<p>College van" not in page

"""What of a case's personal data a staff member reads: the one place that
turns ``visibility.sees_personal_data`` into values, for the admin's case
page and the staff API alike. Public views use ``publishing.tracking``."""

from snippets.services.masking import mask_address, mask_id_number, mask_name, mask_phone, mask_text

from .visibility import sees_personal_data


class Disclosure:
    """The citizen's data on ``case`` as ``user`` may read it: in full for
    a role that sees personal data (and, on a confidential case, one that
    sees confidential cases), masked otherwise. Free text (title, content,
    reply, notes) has the citizen's name, address, phone and ID numbers
    masked when the user may not read them."""

    def __init__(self, user, case, *, sees=None):
        self.case = case
        self.sees = sees_personal_data(user, case) if sees is None else sees

    def citizen(self):
        case = self.case
        if self.sees:
            return {"name": case.citizen_name, "phone": case.citizen_phone, "id_number": case.citizen_id_number,
                    "address": case.address}
        return {"name": mask_name(case.citizen_name), "phone": mask_phone(case.citizen_phone),
                "id_number": mask_id_number(case.citizen_id_number), "address": mask_address(case.address)}

    def text(self, text):
        if self.sees or not text:
            return text
        return mask_text(text, names=[self.case.citizen_name], addresses=[self.case.address])

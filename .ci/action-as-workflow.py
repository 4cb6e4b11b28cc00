"""Write action.yml's composite steps as a workflow, so that actionlint checks them too.

The inputs become workflow_dispatch inputs, so `${{ inputs.x }}` means the same.
"""
import sys

import yaml

action = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))
workflow = {
    'name': 'action.yml as a workflow',
    'on': {'workflow_dispatch': {'inputs': {
        name: {'description': spec.get('description', ''), 'required': False, 'default': spec.get('default', '')}
        for name, spec in action.get('inputs', {}).items()}}},
    'jobs': {'action': {'runs-on': 'ubuntu-latest', 'steps': action['runs']['steps']}},
}
yaml.safe_dump(workflow, open(sys.argv[2], 'w', encoding='utf-8'), sort_keys=False)
